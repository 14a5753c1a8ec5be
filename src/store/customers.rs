//! Customers, their aliases and the bank accounts they pay from.

use anyhow::Context;
use sqlx::{AnyConnection, Row};

use super::{audit, now};

/// A customer as the ERP sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRecord {
    pub customer_id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub bank_accounts: Vec<String>,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Inserted,
    Updated,
    Unchanged,
}

/// Inserts or updates a customer from the ERP; aliases and accounts with source
/// `import` are replaced by the new lists, the ones clerks taught are kept.
pub async fn upsert(
    conn: &mut AnyConnection,
    customer: &CustomerRecord,
) -> anyhow::Result<Upserted> {
    let existing = load_one(conn, &customer.customer_id).await?;
    let at = now();
    let outcome = match &existing {
        None => {
            sqlx::query("INSERT INTO customers (customer_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)")
                .bind(&customer.customer_id)
                .bind(&customer.name)
                .bind(&at)
                .execute(&mut *conn)
                .await
                .context("could not insert a customer")?;
            Upserted::Inserted
        }
        Some(current) if current == customer => return Ok(Upserted::Unchanged),
        Some(_) => {
            sqlx::query("UPDATE customers SET name = $2, updated_at = $3 WHERE customer_id = $1")
                .bind(&customer.customer_id)
                .bind(&customer.name)
                .bind(&at)
                .execute(&mut *conn)
                .await
                .context("could not update a customer")?;
            Upserted::Updated
        }
    };
    for (table, column, values) in [
        ("customer_aliases", "alias", &customer.aliases),
        ("customer_bank_accounts", "account", &customer.bank_accounts),
    ] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE customer_id = $1 AND source = 'import'"
        ))
        .bind(&customer.customer_id)
        .execute(&mut *conn)
        .await?;
        for value in values {
            sqlx::query(&format!(
                "INSERT INTO {table} (customer_id, {column}, source, created_at) VALUES ($1, $2, 'import', $3) \
                 ON CONFLICT DO NOTHING"
            ))
            .bind(&customer.customer_id)
            .bind(value)
            .bind(&at)
            .execute(&mut *conn)
            .await
            .with_context(|| format!("could not store {column} {value:?}"))?;
        }
    }
    let detail = serde_json::json!({
        "name": customer.name,
        "aliases": customer.aliases,
        "bank_accounts": customer.bank_accounts,
        "before": existing.map(|c| serde_json::json!({"name": c.name, "aliases": c.aliases, "bank_accounts": c.bank_accounts})),
    });
    let action = if outcome == Upserted::Inserted {
        "customer_created"
    } else {
        "customer_updated"
    };
    audit(
        conn,
        "import",
        action,
        "customer",
        &customer.customer_id,
        &detail,
    )
    .await?;
    Ok(outcome)
}

/// Creates the customers known only by id and name (their invoices arrived first);
/// existing ones are left as they are.
pub async fn ensure_many(
    conn: &mut AnyConnection,
    customers: &[(&str, &str)],
) -> anyhow::Result<()> {
    let at = now();
    for chunk in customers.chunks(super::batch::rows_per_statement(4)) {
        let sql = format!(
            "INSERT INTO customers (customer_id, name, created_at, updated_at) VALUES {} ON CONFLICT DO NOTHING RETURNING customer_id, name",
            super::batch::Placeholders::new(conn).values(4, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for (customer_id, name) in chunk {
            query = query
                .bind(*customer_id)
                .bind(*name)
                .bind(at.as_str())
                .bind(at.as_str());
        }
        let created = query
            .fetch_all(&mut *conn)
            .await
            .context("could not insert customers")?;
        for row in &created {
            let customer_id: String = row.try_get(0)?;
            let name: String = row.try_get(1)?;
            let detail = serde_json::json!({"name": name, "source": "invoice import"});
            audit(
                conn,
                "import",
                "customer_created",
                "customer",
                &customer_id,
                &detail,
            )
            .await?;
        }
    }
    Ok(())
}

/// What a clerk (or another source) teaches: this payer name or account is this customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Learned {
    Alias,
    BankAccount,
}

/// Records a payer name or bank account as belonging to a customer, for rule 3 to use
/// on the next run. Idempotent.
pub async fn learn(
    conn: &mut AnyConnection,
    customer_id: &str,
    kind: Learned,
    value: &str,
    actor: &str,
) -> anyhow::Result<bool> {
    let (table, column, action) = match kind {
        Learned::Alias => ("customer_aliases", "alias", "alias_learned"),
        Learned::BankAccount => ("customer_bank_accounts", "account", "bank_account_learned"),
    };
    let inserted = sqlx::query(&format!(
        "INSERT INTO {table} (customer_id, {column}, source, created_at) VALUES ($1, $2, 'clerk', $3) ON CONFLICT DO NOTHING"
    ))
    .bind(customer_id)
    .bind(value)
    .bind(now())
    .execute(&mut *conn)
    .await
    .with_context(|| format!("could not store {column} {value:?} for customer {customer_id}"))?;
    let added = inserted.rows_affected() > 0;
    if added {
        audit(
            conn,
            actor,
            action,
            "customer",
            customer_id,
            &serde_json::json!({ column: value }),
        )
        .await?;
    }
    Ok(added)
}

async fn load_one(
    conn: &mut AnyConnection,
    customer_id: &str,
) -> anyhow::Result<Option<CustomerRecord>> {
    let Some(row) = sqlx::query("SELECT name FROM customers WHERE customer_id = $1")
        .bind(customer_id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let name: String = row.try_get("name")?;
    let aliases = strings(conn, "SELECT alias FROM customer_aliases WHERE customer_id = $1 AND source = 'import' ORDER BY alias", customer_id).await?;
    let bank_accounts = strings(conn, "SELECT account FROM customer_bank_accounts WHERE customer_id = $1 AND source = 'import' ORDER BY account", customer_id).await?;
    Ok(Some(CustomerRecord {
        customer_id: customer_id.to_owned(),
        name,
        aliases: sorted(aliases),
        bank_accounts: sorted(bank_accounts),
    }))
}

fn sorted(mut values: Vec<String>) -> Vec<String> {
    values.sort();
    values
}

async fn strings(conn: &mut AnyConnection, sql: &str, key: &str) -> anyhow::Result<Vec<String>> {
    let rows = sqlx::query(sql).bind(key).fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| Ok(row.try_get::<String, _>(0)?))
        .collect()
}

/// Every customer with all its aliases and accounts, for a reconcile run.
pub async fn load_all(conn: &mut AnyConnection) -> anyhow::Result<Vec<rules::Customer>> {
    let mut customers: Vec<rules::Customer> =
        sqlx::query("SELECT customer_id, name FROM customers ORDER BY customer_id")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|row| {
                Ok(rules::Customer {
                    id: row.try_get("customer_id")?,
                    name: row.try_get("name")?,
                    aliases: Vec::new(),
                    bank_accounts: Vec::new(),
                })
            })
            .collect::<anyhow::Result<_>>()?;
    let position: std::collections::HashMap<String, usize> = customers
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    for row in
        sqlx::query("SELECT customer_id, alias FROM customer_aliases ORDER BY customer_id, alias")
            .fetch_all(&mut *conn)
            .await?
    {
        let id: String = row.try_get(0)?;
        if let Some(&i) = position.get(&id) {
            customers[i].aliases.push(row.try_get(1)?);
        }
    }
    for row in sqlx::query(
        "SELECT customer_id, account FROM customer_bank_accounts ORDER BY customer_id, account",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        let id: String = row.try_get(0)?;
        if let Some(&i) = position.get(&id) {
            customers[i].bank_accounts.push(row.try_get(1)?);
        }
    }
    Ok(customers)
}
