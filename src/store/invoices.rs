//! Open invoices from the ERP, and what is still open on them.
//!
//! The ERP sends each invoice's open amount; recond keeps it as `erp_open_minor` and
//! computes what is open now as that amount less the active applications (cash plus
//! write-off) made in recond. Re-importing an invoice updates its fields and keeps the
//! applications already made to it.

use anyhow::Context;
use chrono::NaiveDate;
use parsers::money::Money;
use rust_decimal::Decimal;
use sqlx::{AnyConnection, Row};

use std::collections::HashMap;

use super::batch::{self, Placeholders};
use super::{money, now};

/// An invoice as the ERP sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRecord {
    pub invoice_id: String,
    pub customer_id: String,
    pub customer_name: String,
    pub amount: Money,
    pub open_amount: Money,
    pub issue_date: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub po_number: Option<String>,
    pub discount_pct: Option<Decimal>,
    pub discount_days: Option<u32>,
}

impl InvoiceRecord {
    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "customer_id": self.customer_id,
            "customer_name": self.customer_name,
            "amount": self.amount.amount.to_string(),
            "currency": self.amount.currency.code(),
            "open_amount": self.open_amount.amount.to_string(),
            "issue_date": self.issue_date.to_string(),
            "due_date": self.due_date.map(|d| d.to_string()),
            "po_number": self.po_number,
            "discount_pct": self.discount_pct.map(|d| d.to_string()),
            "discount_days": self.discount_days,
        })
    }
}

/// What a batch upsert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpsertCounts {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

const INVOICE_COLUMNS: usize = 12;

/// Inserts or updates invoices, many per statement. An unchanged invoice is left alone
/// (importing the same file twice changes nothing); a new or changed one is written
/// and audited, with the previous values for a change.
pub async fn upsert_many(
    conn: &mut AnyConnection,
    invoices: &[InvoiceRecord],
) -> anyhow::Result<UpsertCounts> {
    let mut counts = UpsertCounts::default();
    let at = now();
    for chunk in invoices.chunks(batch::rows_per_statement(INVOICE_COLUMNS)) {
        let existing = load_records(conn, chunk).await?;
        let changed: Vec<&InvoiceRecord> = chunk
            .iter()
            .filter(|invoice| existing.get(&invoice.invoice_id) != Some(*invoice))
            .collect();
        counts.unchanged += chunk.len() - changed.len();
        if changed.is_empty() {
            continue;
        }
        let sql = format!(
            "INSERT INTO invoices (invoice_id, customer_id, customer_name, currency, amount_minor, erp_open_minor, \
             issue_date, due_date, po_number, discount_pct, discount_days, created_at, updated_at) \
             SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8, v.column9, \
             v.column10, v.column11, v.column12, v.column12 FROM (VALUES {}) AS v WHERE true \
             ON CONFLICT (invoice_id) DO UPDATE SET customer_id = excluded.customer_id, customer_name = excluded.customer_name, \
             currency = excluded.currency, amount_minor = excluded.amount_minor, erp_open_minor = excluded.erp_open_minor, \
             issue_date = excluded.issue_date, due_date = excluded.due_date, po_number = excluded.po_number, \
             discount_pct = excluded.discount_pct, discount_days = excluded.discount_days, updated_at = excluded.updated_at",
            Placeholders::new(conn).values(INVOICE_COLUMNS, changed.len())
        );
        let mut query = sqlx::query(&sql);
        for invoice in &changed {
            query = query
                .bind(invoice.invoice_id.as_str())
                .bind(invoice.customer_id.as_str())
                .bind(invoice.customer_name.as_str())
                .bind(invoice.amount.currency.code())
                .bind(money::to_minor(&invoice.amount)?)
                .bind(money::to_minor(&invoice.open_amount)?)
                .bind(invoice.issue_date.to_string())
                .bind(invoice.due_date.map(|d| d.to_string()))
                .bind(invoice.po_number.as_deref())
                .bind(invoice.discount_pct.map(|d| d.to_string()))
                .bind(invoice.discount_days.map(i64::from))
                .bind(at.as_str());
        }
        query
            .execute(&mut *conn)
            .await
            .context("could not store invoices")?;
        let audit_sql = format!(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) VALUES {}",
            Placeholders::new(conn).values(6, changed.len())
        );
        let mut audit = sqlx::query(&audit_sql);
        for invoice in &changed {
            let mut detail = invoice.to_json();
            let action = match existing.get(&invoice.invoice_id) {
                None => {
                    counts.inserted += 1;
                    "invoice_created"
                }
                Some(before) => {
                    counts.updated += 1;
                    detail["before"] = before.to_json();
                    "invoice_updated"
                }
            };
            audit = audit
                .bind(at.as_str())
                .bind("import")
                .bind(action)
                .bind("invoice")
                .bind(invoice.invoice_id.as_str())
                .bind(detail.to_string());
        }
        audit
            .execute(&mut *conn)
            .await
            .context("could not write the audit log")?;
    }
    Ok(counts)
}

fn parse_date(text: Option<String>) -> anyhow::Result<Option<NaiveDate>> {
    text.map(|t| {
        t.parse::<NaiveDate>()
            .with_context(|| format!("stored date {t:?} is not ISO 8601"))
    })
    .transpose()
}

/// The stored versions of these invoices, by id.
async fn load_records(
    conn: &mut AnyConnection,
    invoices: &[InvoiceRecord],
) -> anyhow::Result<HashMap<String, InvoiceRecord>> {
    let sql = format!(
        "SELECT invoice_id, customer_id, customer_name, currency, amount_minor, erp_open_minor, issue_date, due_date, \
         po_number, discount_pct, discount_days FROM invoices WHERE invoice_id IN ({})",
        Placeholders::new(conn).list(invoices.len())
    );
    let mut query = sqlx::query(&sql);
    for invoice in invoices {
        query = query.bind(invoice.invoice_id.as_str());
    }
    let mut records = HashMap::new();
    for row in query
        .fetch_all(&mut *conn)
        .await
        .context("could not read invoices")?
    {
        let currency: String = row.try_get("currency")?;
        let discount_pct: Option<String> = row.try_get("discount_pct")?;
        let discount_days: Option<i64> = row.try_get("discount_days")?;
        let record = InvoiceRecord {
            invoice_id: row.try_get("invoice_id")?,
            customer_id: row.try_get("customer_id")?,
            customer_name: row.try_get("customer_name")?,
            amount: money::from_minor(row.try_get("amount_minor")?, &currency)?,
            open_amount: money::from_minor(row.try_get("erp_open_minor")?, &currency)?,
            issue_date: parse_date(Some(row.try_get("issue_date")?))?.unwrap_or_default(),
            due_date: parse_date(row.try_get("due_date")?)?,
            po_number: row.try_get("po_number")?,
            discount_pct: discount_pct
                .map(|d| d.parse())
                .transpose()
                .context("stored discount_pct is not a decimal")?,
            discount_days: discount_days
                .map(u32::try_from)
                .transpose()
                .context("stored discount_days out of range")?,
        };
        records.insert(record.invoice_id.clone(), record);
    }
    Ok(records)
}

/// Every invoice with what is open on it now, for a reconcile run. Settled invoices
/// are included (open amount zero) so the engine recognises payments for them.
pub async fn load_for_matching(conn: &mut AnyConnection) -> anyhow::Result<Vec<rules::Invoice>> {
    if conn.backend_name() == "PostgreSQL" {
        load_rows(conn).await
    } else {
        load_json_pages(conn, JSON_PAGE).await
    }
}

/// Invoices per JSON array on SQLite.
const JSON_PAGE: i64 = 50_000;

/// One invoice as the ledger queries list it: id, customer, currency, amount, ERP open
/// amount, issue date, due date, PO number, discount percent and days, and what
/// applications used (minor units).
type Listed = (
    String,
    String,
    String,
    i64,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    i64,
);

fn invoice_from(listed: Listed) -> anyhow::Result<rules::Invoice> {
    let (id, customer_id, currency, amount, erp_open, issued, due, po, pct, days, used) = listed;
    let discount = match (pct, days) {
        (Some(pct), Some(days)) => Some(rules::DiscountTerms {
            percent: pct
                .parse()
                .context("stored discount_pct is not a decimal")?,
            days: u32::try_from(days).unwrap_or(0),
        }),
        _ => None,
    };
    Ok(rules::Invoice {
        id,
        customer_id,
        amount: money::from_minor(amount, &currency)?,
        open_amount: money::from_minor((erp_open - used).max(0), &currency)?,
        issue_date: parse_date(Some(issued))?,
        due_date: parse_date(due)?,
        po_number: po,
        discount,
    })
}

/// PostgreSQL: rows streamed, never all held at once.
async fn load_rows(conn: &mut AnyConnection) -> anyhow::Result<Vec<rules::Invoice>> {
    use futures_util::TryStreamExt;
    let mut rows = sqlx::query(
        "SELECT i.invoice_id, i.customer_id, i.currency, i.amount_minor, i.erp_open_minor, i.issue_date, \
         i.due_date, i.po_number, i.discount_pct, i.discount_days, \
         CAST(COALESCE(a.used_minor, 0) AS BIGINT) AS used_minor \
         FROM invoices i LEFT JOIN ( \
           SELECT invoice_id, CAST(SUM(applied_minor + writeoff_minor) AS BIGINT) AS used_minor \
           FROM applications GROUP BY invoice_id \
         ) a ON a.invoice_id = i.invoice_id ORDER BY i.invoice_id",
    )
    .fetch(&mut *conn);
    let mut invoices = Vec::new();
    while let Some(row) = rows.try_next().await.context("could not load invoices")? {
        invoices.push(invoice_from((
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
            row.try_get(3)?,
            row.try_get(4)?,
            row.try_get(5)?,
            row.try_get(6)?,
            row.try_get(7)?,
            row.try_get(8)?,
            row.try_get(9)?,
            row.try_get(10)?,
        ))?);
    }
    Ok(invoices)
}

/// SQLite: each page of invoices arrives as ONE JSON array rather than a row per
/// invoice. sqlx's SQLite worker hands rows over one at a time and the `Any` driver
/// converts each, which made the ledger most of a small file's latency (100,000
/// invoices: 0.61 s row by row, under a third of that as JSON; on PostgreSQL the same
/// JSON is slower than rows). The engine does not need the invoices in order.
async fn load_json_pages(
    conn: &mut AnyConnection,
    page_size: i64,
) -> anyhow::Result<Vec<rules::Invoice>> {
    let mut invoices = Vec::new();
    let mut after = String::new();
    loop {
        let row = sqlx::query(
            "SELECT json_group_array(json_array(invoice_id, customer_id, currency, amount_minor, erp_open_minor, \
             issue_date, due_date, po_number, discount_pct, discount_days, used_minor)), MAX(invoice_id) \
             FROM (SELECT i.*, COALESCE((SELECT SUM(a.applied_minor + a.writeoff_minor) \
             FROM applications a WHERE a.invoice_id = i.invoice_id), 0) AS used_minor \
             FROM invoices i WHERE i.invoice_id > $1 ORDER BY i.invoice_id LIMIT $2) page",
        )
        .bind(after.as_str())
        .bind(page_size)
        .fetch_one(&mut *conn)
        .await
        .context("could not load invoices")?;
        let (Some(listed), Some(last)) = (
            row.try_get::<Option<String>, _>(0)?,
            row.try_get::<Option<String>, _>(1)?,
        ) else {
            break;
        };
        let page: Vec<Listed> =
            serde_json::from_str(&listed).context("could not read the listed invoices")?;
        let full = page.len() as i64 == page_size;
        for listed in page {
            invoices.push(invoice_from(listed)?);
        }
        if !full {
            break;
        }
        after = last;
    }
    Ok(invoices)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: usize) -> InvoiceRecord {
        let usd = |minor| Money::from_minor(minor, parsers::Currency::USD);
        InvoiceRecord {
            invoice_id: format!("INV-{n:03}"),
            customer_id: "C1".to_owned(),
            customer_name: "Acme".to_owned(),
            amount: usd(1_000 + n as i64),
            open_amount: usd(500),
            issue_date: NaiveDate::from_ymd_opt(2026, 10, 1).expect("date"),
            due_date: (n % 2 == 0).then(|| NaiveDate::from_ymd_opt(2026, 10, 31).expect("date")),
            po_number: (n % 3 == 0).then(|| format!("PO-{n}")),
            discount_pct: (n % 4 == 0).then(|| Decimal::new(25, 1)),
            discount_days: (n % 4 == 0).then_some(10),
        }
    }

    #[tokio::test]
    async fn json_pages_list_every_invoice_once_across_page_boundaries() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("pages.db").display());
        let store = crate::store::Store::connect(&url).await.expect("store");
        let mut conn = store.acquire().await.expect("connection");
        let records: Vec<InvoiceRecord> = (0..7).map(record).collect();
        crate::imports::invoices::store(&mut conn, &records)
            .await
            .expect("import");
        let whole = load_json_pages(&mut conn, 1_000).await.expect("one page");
        for page_size in [1, 2, 3, 7] {
            let paged = load_json_pages(&mut conn, page_size).await.expect("pages");
            let ids: Vec<&str> = paged.iter().map(|i| i.id.as_str()).collect();
            assert_eq!(
                ids,
                ["INV-000", "INV-001", "INV-002", "INV-003", "INV-004", "INV-005", "INV-006"],
                "page size {page_size}"
            );
            assert_eq!(format!("{paged:?}"), format!("{whole:?}"));
        }
        let first = &whole[0];
        assert_eq!(first.amount.to_string(), "10.00 USD");
        assert_eq!(first.open_amount.to_string(), "5.00 USD");
        assert_eq!(first.po_number.as_deref(), Some("PO-0"));
        assert_eq!(
            first.discount.map(|d| (d.percent.to_string(), d.days)),
            Some(("2.5".to_owned(), 10))
        );
        assert_eq!(whole[1].due_date, None);
    }
}
