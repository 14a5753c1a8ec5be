-- recond schema, PostgreSQL dialect. Keep in step with migrations/sqlite/0001_init.sql:
-- same tables, columns and meaning; only types and identity syntax differ.
-- Money is integer minor units (BIGINT) plus an ISO 4217 currency, never a float.
-- Dates are ISO 8601 TEXT (YYYY-MM-DD), timestamps RFC 3339 UTC TEXT.

CREATE TABLE customers (
    customer_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Names a customer pays under; source 'import' (ERP) or 'clerk' (learned).
CREATE TABLE customer_aliases (
    customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    alias TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (customer_id, alias)
);

CREATE TABLE customer_bank_accounts (
    customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    account TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (customer_id, account)
);
CREATE INDEX customer_bank_accounts_by_account ON customer_bank_accounts (account);

-- erp_open_minor is the open amount the ERP sent; what is open now is that less the
-- active applications recond and clerks made (see store::invoices).
CREATE TABLE invoices (
    invoice_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    customer_name TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    erp_open_minor BIGINT NOT NULL,
    issue_date TEXT NOT NULL,
    due_date TEXT,
    po_number TEXT,
    discount_pct TEXT,
    discount_days BIGINT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX invoices_by_customer ON invoices (customer_id);

-- One row per distinct file content ever stored; the SHA-256 is its identity.
CREATE TABLE bank_files (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    version TEXT,
    size_bytes BIGINT NOT NULL,
    ingested_at TEXT NOT NULL
);

-- Every delivery of a file: ingested, duplicate or rejected, with the reason.
CREATE TABLE file_receipts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT,
    bank_file_id BIGINT REFERENCES bank_files (id),
    received_at TEXT NOT NULL
);

CREATE TABLE statements (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bank_file_id BIGINT NOT NULL REFERENCES bank_files (id),
    statement_ref TEXT NOT NULL,
    account TEXT NOT NULL,
    servicer TEXT,
    currency TEXT,
    opening_minor BIGINT,
    closing_minor BIGINT,
    from_date TEXT,
    to_date TEXT
);

-- Bank transactions. The columns after remittance_text hold the latest matching
-- decision (derived state); the history is in applications, exceptions and audit_log.
CREATE TABLE transactions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bank_file_id BIGINT NOT NULL REFERENCES bank_files (id),
    statement_id BIGINT NOT NULL REFERENCES statements (id),
    account TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    format TEXT NOT NULL,
    direction TEXT NOT NULL,
    entry_status TEXT NOT NULL,
    reversal BIGINT NOT NULL,
    currency TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    booking_date TEXT,
    value_date TEXT,
    bank_ref TEXT NOT NULL,
    end_to_end_id TEXT,
    customer_ref TEXT,
    trace_number TEXT,
    payer_name TEXT,
    payer_account TEXT,
    bank_tx_code TEXT,
    remittance_text TEXT NOT NULL,
    return_of_trace TEXT,
    return_reason TEXT,
    status TEXT NOT NULL,
    unapplied_minor BIGINT NOT NULL,
    exception_reason TEXT,
    rule TEXT,
    confidence BIGINT,
    explanation TEXT,
    decided_at TEXT
);
CREATE INDEX transactions_by_status ON transactions (status);
CREATE INDEX transactions_by_trace ON transactions (trace_number);

CREATE TABLE remittance_items (
    transaction_id BIGINT NOT NULL REFERENCES transactions (id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    reference TEXT NOT NULL,
    paid_minor BIGINT,
    total_minor BIGINT,
    discount_minor BIGINT,
    PRIMARY KEY (transaction_id, seq)
);

-- Append-only: a reversal is a new row whose reverses_id points at the original.
CREATE TABLE applications (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id BIGINT NOT NULL REFERENCES transactions (id),
    invoice_id TEXT NOT NULL REFERENCES invoices (invoice_id),
    currency TEXT NOT NULL,
    applied_minor BIGINT NOT NULL,
    writeoff_minor BIGINT NOT NULL,
    writeoff_reason TEXT,
    rule TEXT NOT NULL,
    confidence BIGINT NOT NULL,
    explanation TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL,
    reverses_id BIGINT UNIQUE REFERENCES applications (id)
);
CREATE INDEX applications_by_transaction ON applications (transaction_id);
CREATE INDEX applications_by_invoice ON applications (invoice_id);

CREATE TABLE exceptions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id BIGINT NOT NULL REFERENCES transactions (id),
    reason TEXT NOT NULL,
    explanation TEXT NOT NULL,
    suggestions TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    closed_at TEXT,
    resolution TEXT,
    closed_by TEXT
);
CREATE UNIQUE INDEX exceptions_one_open ON exceptions (transaction_id) WHERE closed_at IS NULL;

CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    detail TEXT NOT NULL
);
