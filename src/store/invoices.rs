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

use super::customers::Upserted;
use super::{audit, money, now};

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

/// Inserts or updates one invoice. An unchanged invoice is left alone (importing the
/// same file twice changes nothing); a changed one is updated and the change audited.
pub async fn upsert(conn: &mut AnyConnection, invoice: &InvoiceRecord) -> anyhow::Result<Upserted> {
    let existing = load_record(conn, &invoice.invoice_id).await?;
    if existing.as_ref() == Some(invoice) {
        return Ok(Upserted::Unchanged);
    }
    let at = now();
    let sql = if existing.is_none() {
        "INSERT INTO invoices (invoice_id, customer_id, customer_name, currency, amount_minor, erp_open_minor, \
         issue_date, due_date, po_number, discount_pct, discount_days, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)"
    } else {
        "UPDATE invoices SET customer_id = $2, customer_name = $3, currency = $4, amount_minor = $5, \
         erp_open_minor = $6, issue_date = $7, due_date = $8, po_number = $9, discount_pct = $10, \
         discount_days = $11, updated_at = $12 WHERE invoice_id = $1"
    };
    sqlx::query(sql)
        .bind(&invoice.invoice_id)
        .bind(&invoice.customer_id)
        .bind(&invoice.customer_name)
        .bind(invoice.amount.currency.code())
        .bind(money::to_minor(&invoice.amount)?)
        .bind(money::to_minor(&invoice.open_amount)?)
        .bind(invoice.issue_date.to_string())
        .bind(invoice.due_date.map(|d| d.to_string()))
        .bind(invoice.po_number.as_deref())
        .bind(invoice.discount_pct.map(|d| d.to_string()))
        .bind(invoice.discount_days.map(i64::from))
        .bind(&at)
        .execute(&mut *conn)
        .await
        .with_context(|| format!("could not store invoice {}", invoice.invoice_id))?;
    let mut detail = invoice.to_json();
    let (action, outcome) = match existing {
        None => ("invoice_created", Upserted::Inserted),
        Some(before) => {
            detail["before"] = before.to_json();
            ("invoice_updated", Upserted::Updated)
        }
    };
    audit(
        conn,
        "import",
        action,
        "invoice",
        &invoice.invoice_id,
        &detail,
    )
    .await?;
    Ok(outcome)
}

fn parse_date(text: Option<String>) -> anyhow::Result<Option<NaiveDate>> {
    text.map(|t| {
        NaiveDate::parse_from_str(&t, "%Y-%m-%d")
            .with_context(|| format!("stored date {t:?} is not ISO 8601"))
    })
    .transpose()
}

async fn load_record(
    conn: &mut AnyConnection,
    invoice_id: &str,
) -> anyhow::Result<Option<InvoiceRecord>> {
    let Some(row) = sqlx::query(
        "SELECT customer_id, customer_name, currency, amount_minor, erp_open_minor, issue_date, due_date, \
         po_number, discount_pct, discount_days FROM invoices WHERE invoice_id = $1",
    )
    .bind(invoice_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let currency: String = row.try_get("currency")?;
    let discount_pct: Option<String> = row.try_get("discount_pct")?;
    let discount_days: Option<i64> = row.try_get("discount_days")?;
    Ok(Some(InvoiceRecord {
        invoice_id: invoice_id.to_owned(),
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
    }))
}

/// Every invoice with what is open on it now, for a reconcile run. Settled invoices
/// are included (open amount zero) so the engine recognises payments for them.
pub async fn load_for_matching(conn: &mut AnyConnection) -> anyhow::Result<Vec<rules::Invoice>> {
    let rows = sqlx::query(
        "SELECT i.invoice_id, i.customer_id, i.currency, i.amount_minor, i.erp_open_minor, i.issue_date, \
         i.due_date, i.po_number, i.discount_pct, i.discount_days, \
         CAST(COALESCE(a.used_minor, 0) AS BIGINT) AS used_minor \
         FROM invoices i LEFT JOIN ( \
           SELECT invoice_id, CAST(SUM(applied_minor + writeoff_minor) AS BIGINT) AS used_minor \
           FROM applications GROUP BY invoice_id \
         ) a ON a.invoice_id = i.invoice_id ORDER BY i.invoice_id",
    )
    .fetch_all(&mut *conn)
    .await
    .context("could not load invoices")?;
    rows.iter()
        .map(|row| {
            let currency: String = row.try_get("currency")?;
            let erp_open: i64 = row.try_get("erp_open_minor")?;
            let used: i64 = row.try_get("used_minor")?;
            let discount_pct: Option<String> = row.try_get("discount_pct")?;
            let discount_days: Option<i64> = row.try_get("discount_days")?;
            let discount = match (discount_pct, discount_days) {
                (Some(pct), Some(days)) => Some(rules::DiscountTerms {
                    percent: pct
                        .parse()
                        .context("stored discount_pct is not a decimal")?,
                    days: u32::try_from(days).unwrap_or(0),
                }),
                _ => None,
            };
            Ok(rules::Invoice {
                id: row.try_get("invoice_id")?,
                customer_id: row.try_get("customer_id")?,
                amount: money::from_minor(row.try_get("amount_minor")?, &currency)?,
                open_amount: money::from_minor((erp_open - used).max(0), &currency)?,
                issue_date: parse_date(Some(row.try_get("issue_date")?))?,
                due_date: parse_date(row.try_get("due_date")?)?,
                po_number: row.try_get("po_number")?,
                discount,
            })
        })
        .collect()
}
