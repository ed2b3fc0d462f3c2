//! Invite codes: 16 characters from an alphabet without look-alikes (no 0/O, 1/I/L), drawn
//! from the operating system's CSPRNG.

use rand::TryRngCore;
use rand::rngs::OsRng;

/// The characters a code is made of (31 of them: no 0, 1, I, L or O).
pub const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
pub const CODE_LEN: usize = 16;

/// A fresh code. Rejection sampling keeps every character equally likely: bytes at or above
/// the largest multiple of 31 that fits in a byte are drawn again.
pub fn fresh() -> Result<String, std::io::Error> {
    let limit = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
    let mut code = String::with_capacity(CODE_LEN);
    let mut buf = [0u8; 32];
    while code.len() < CODE_LEN {
        OsRng.try_fill_bytes(&mut buf).map_err(|e| {
            std::io::Error::other(format!("the system's random source failed: {e}"))
        })?;
        for byte in buf {
            if byte < limit && code.len() < CODE_LEN {
                code.push(char::from(ALPHABET[usize::from(byte) % ALPHABET.len()]));
            }
        }
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_use_only_the_alphabet_and_do_not_repeat() {
        let mut seen = HashSet::new();
        let mut counts = [0usize; 31];
        for _ in 0..2_000 {
            let code = fresh().unwrap();
            assert_eq!(code.len(), CODE_LEN);
            for b in code.bytes() {
                let at = ALPHABET
                    .iter()
                    .position(|a| *a == b)
                    .expect("outside the alphabet");
                counts[at] += 1;
            }
            assert!(seen.insert(code));
        }
        // 32,000 draws over 31 characters: each near 1,032; a biased or stuck source is far off.
        for (i, n) in counts.iter().enumerate() {
            assert!(
                (800..1300).contains(n),
                "{} drawn {n} times",
                ALPHABET[i] as char
            );
        }
    }
}
