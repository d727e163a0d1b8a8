//! Hashing, in one place: SHA-256 of bytes as lower-case hex — a file's identity in the journal and the
//! manifests, the seal of the ledgers, the stable IDs of cases, decisions and payments, and the seeded draws.

pub use sha2::{Digest, Sha256};

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// The salted hash of an ID number for the hashed exchange between offices (`compare --export-hashed`,
/// `--hashed`, `rollup`): SHA-256 of `salt|ID`, the ID normalised to 18 characters.
pub fn id_hash(salt: &str, id: &crate::domain::id_number::IdNumber) -> String {
    sha256_hex(format!("{salt}|{}", id.as_str()).as_bytes())
}

/// SHA-256 of bytes as hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    #[test]
    fn sha256_of_abc_is_the_standard_vector() {
        assert_eq!(
            super::sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(super::hex(&[0, 15, 255]), "000fff");
    }
}
