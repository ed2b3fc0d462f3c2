//! Generator of realistic cohort CSV files for benchmarks and examples: deterministic, mostly
//! clean, with a sprinkling of the mistakes operators make (so the validator does real work).

use std::io::Write;

const LABELS: [&str; 12] = [
    "creator-vinyl-pressing",
    "creator-podcast",
    "creator-field-recording",
    "listener-jazz-mailing-list",
    "listener-discord",
    "listener-newsletter",
    "listener-waitlist",
    "press-pitchfork",
    "press-the-wire",
    "partner-label",
    "staff-dogfood",
    "listener-beta-forum",
];
const DOMAINS: [&str; 8] = [
    "example.com",
    "mail.example.org",
    "example.net",
    "post.example.fr",
    "example.co.uk",
    "inbox.example.io",
    "example.de",
    "example.edu",
];
const FIRST: [&str; 10] = [
    "ana", "bob", "carla", "dmitri", "eve", "fatou", "gus", "hana", "ines", "jules",
];

/// Writes a header and `rows` data rows. About one row in 5,000 carries a mistake: a duplicate
/// (different case), a display name, a missing label, a stray space.
pub fn write_cohort(out: &mut impl Write, rows: usize, seed: u64) -> std::io::Result<()> {
    let mut state = seed | 1;
    let mut next = move || {
        // xorshift64*: deterministic, no dependency.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    writeln!(out, "email,cohort,name,sent_by")?;
    for i in 0..rows {
        let r = next();
        let first = FIRST[(r % 10) as usize];
        let domain = DOMAINS[((r >> 8) % 8) as usize];
        let label = LABELS[((r >> 16) % 12) as usize];
        let email = format!("{first}.{i}@{domain}");
        match (r >> 32) % 5000 {
            0 if i > 0 => writeln!(
                out,
                "{}.{}@{domain},{label},Dup,",
                first.to_uppercase(),
                i - 1
            )?,
            1 => writeln!(out, "\"{first} <{email}>\",{label},\"{first}, display\",")?,
            2 => writeln!(out, "{email},,{first},")?,
            3 => writeln!(out, "{email} ,{label},{first},")?,
            _ => writeln!(out, "{email},{label},{first} {i},ops@example.com")?,
        }
    }
    Ok(())
}
