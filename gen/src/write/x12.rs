//! ANSI X12 820 payment order/remittance advice, as carried in NACHA CTX addenda:
//! optional ISA/GS envelope, ST, BPR, TRN, N1*PR, N1*PE, one RMR per invoice, SE, and
//! GE/IEA when enveloped. Segment counts and control numbers are consistent.

use chrono::NaiveDate;

use crate::payment::Item;
use crate::world::format_cents;

/// What the 820 says about one payment.
pub struct Remittance<'a> {
    pub date: NaiveDate,
    pub amount: i64,
    pub payer_name: &'a str,
    pub payer_routing: &'a str,
    pub our_routing: &'a str,
    pub our_account: &'a str,
    pub trace: &'a str,
    pub company_id: &'a str,
    pub items: &'a [Item],
    pub control_number: u32,
    pub envelope: bool,
    /// Segment terminator: `~` or `\`.
    pub terminator: char,
}

fn clean(text: &str, terminator: char) -> String {
    text.chars()
        .map(|c| {
            if c == '*' || c == terminator || c == '>' || c == '~' || c == '\\' || !c.is_ascii() {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The 820 as one string (segments joined by the terminator, no line breaks).
pub fn render(r: &Remittance<'_>) -> String {
    let t = r.terminator;
    let date8 = r.date.format("%Y%m%d").to_string();
    let date6 = r.date.format("%y%m%d").to_string();
    let mut body = vec![
        format!("ST*820*{:04}", r.control_number % 10_000),
        format!(
            "BPR*C*{}*C*ACH*CTX*01*{}*DA*{}*{}**01*{}*DA*{}*{date8}",
            format_cents(r.amount),
            r.payer_routing,
            "000123456789",
            r.company_id,
            r.our_routing,
            r.our_account
        ),
        format!("TRN*1*{}*{}", r.trace, r.company_id),
        format!("N1*PR*{}", clean(r.payer_name, t)),
        "N1*PE*OUR COMPANY INC".to_owned(),
    ];
    for item in r.items {
        body.push(format!(
            "RMR*IV*{}*PI*{}*{}*{}",
            clean(&item.invoice, t),
            format_cents(item.paid),
            format_cents(item.total),
            format_cents(item.discount)
        ));
    }
    body.push(format!(
        "SE*{}*{:04}",
        body.len() + 1,
        r.control_number % 10_000
    ));
    let mut segments = Vec::with_capacity(body.len() + 4);
    if r.envelope {
        segments.push(format!(
            "ISA*00*{:10}*00*{:10}*ZZ*{:<15}*ZZ*{:<15}*{date6}*0630*U*00401*{:09}*0*P*>",
            "", "", r.company_id, "OURCOMPANY", r.control_number
        ));
        segments.push(format!(
            "GS*RA*{}*OURCOMPANY*{date8}*0630*{}*X*004010",
            r.company_id, r.control_number
        ));
    }
    segments.extend(body);
    if r.envelope {
        segments.push(format!("GE*1*{}", r.control_number));
        segments.push(format!("IEA*1*{:09}", r.control_number));
    }
    let mut text = segments.join(&t.to_string());
    text.push(t);
    text
}
