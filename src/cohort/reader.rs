//! Streaming CSV records over any `Read`: RFC 4180 quoting (csv-core), CRLF or LF, a leading
//! UTF-8 BOM, physical line numbers of each record's start, a SHA-256 of the bytes, and hard size
//! limits so no input can make memory grow without bound.

use csv_core::ReadRecordResult;
use sha2::{Digest, Sha256};
use std::io::{ErrorKind, Read};

/// A field longer than this is refused (`ragged_row`): no cohort cell is legitimately this long.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;
/// A record longer than this is skipped without being buffered (bounded memory on a runaway
/// quote or a 2 GB line).
pub const MAX_RECORD_BYTES: usize = 256 * 1024;
/// More fields than this in one record is refused the same way.
pub const MAX_FIELDS: usize = 1024;

const CHUNK: usize = 64 * 1024;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One record as read: its fields, or why it was skipped.
#[derive(Debug)]
pub enum Record<'a> {
    Fields(Fields<'a>),
    /// Over a size limit; the record was consumed and dropped.
    Oversized {
        line: u64,
        reason: String,
    },
}

/// The raw bytes of one record's fields; `line` is the physical line where it starts.
#[derive(Debug)]
pub struct Fields<'a> {
    pub line: u64,
    data: &'a [u8],
    ends: &'a [usize],
}

impl<'a> Fields<'a> {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.data.get(start..end)
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// Reads records one at a time; memory stays within the limits above whatever the input.
pub struct RecordReader<R> {
    input: R,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    eof: bool,
    started: bool,
    /// The last byte consumed was a CR: a LF right after it ends the same line.
    prev_cr: bool,
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    scratch: Box<[u8]>,
    scratch_ends: Box<[usize]>,
    line: u64,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> RecordReader<R> {
    pub fn new(input: R) -> RecordReader<R> {
        RecordReader {
            input,
            buf: vec![0; CHUNK].into_boxed_slice(),
            start: 0,
            end: 0,
            eof: false,
            started: false,
            prev_cr: false,
            core: csv_core::Reader::new(),
            out: vec![0; 4096],
            ends: vec![0; 16],
            scratch: vec![0; 4096].into_boxed_slice(),
            scratch_ends: vec![0; 64].into_boxed_slice(),
            line: 1,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// Bytes read so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The SHA-256 of the whole input, hex, once it has been read to the end.
    pub fn sha256(&self) -> Option<String> {
        (self.eof && self.start == self.end).then(|| hex::encode(self.hasher.clone().finalize()))
    }

    /// Reads more input when the buffer is used up (appending, so a short read keeps what is left).
    fn fill(&mut self) -> std::io::Result<()> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        if self.eof || self.end == self.buf.len() {
            return Ok(());
        }
        loop {
            match self.input.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.hasher.update(&self.buf[self.end..self.end + n]);
                    self.bytes += n as u64;
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn skip_bom(&mut self) -> std::io::Result<()> {
        while self.end - self.start < BOM.len() && !self.eof {
            self.fill()?;
        }
        if self.buf[self.start..self.end].starts_with(BOM) {
            self.start += BOM.len();
        }
        Ok(())
    }

    /// The next record, or `None` at the end of the input. Blank lines are skipped.
    pub fn next_record(&mut self) -> std::io::Result<Option<Record<'_>>> {
        if !self.started {
            self.started = true;
            self.skip_bom()?;
        }
        // Terminators between records are skipped here, so the line counted is where the
        // record's first byte is, whatever blank lines or CRLF pairs came before it.
        loop {
            if self.start == self.end {
                self.fill()?;
                if self.start == self.end {
                    return Ok(None);
                }
            }
            while self.start < self.end && matches!(self.buf[self.start], b'\n' | b'\r') {
                let byte = self.start..self.start + 1;
                self.line += line_breaks(&mut self.prev_cr, &self.buf[byte]);
                self.start += 1;
            }
            if self.start < self.end {
                break;
            }
        }
        let line = self.line;
        let (mut outlen, mut endlen) = (0usize, 0usize);
        let mut oversized: Option<String> = None;
        loop {
            if self.start == self.end {
                self.fill()?;
            }
            let input = &self.buf[self.start..self.end];
            let (res, nin, nout, nend) = if oversized.is_none() {
                self.core
                    .read_record(input, &mut self.out[outlen..], &mut self.ends[endlen..])
            } else {
                self.core
                    .read_record(input, &mut self.scratch, &mut self.scratch_ends)
            };
            self.line += line_breaks(&mut self.prev_cr, &input[..nin]);
            self.start += nin;
            if oversized.is_none() {
                outlen += nout;
                endlen += nend;
            }
            match res {
                ReadRecordResult::InputEmpty => {
                    if self.eof && self.start == self.end && nin == 0 {
                        // Defensive: the parser always ends a record at end of input.
                        break;
                    }
                }
                ReadRecordResult::OutputFull => {
                    if oversized.is_none() {
                        if self.out.len() >= MAX_RECORD_BYTES {
                            oversized = Some(format!(
                                "record is longer than the {} KiB limit (an unclosed quote?)",
                                MAX_RECORD_BYTES / 1024
                            ));
                        } else {
                            let len = (self.out.len() * 2).min(MAX_RECORD_BYTES);
                            self.out.resize(len, 0);
                        }
                    }
                }
                ReadRecordResult::OutputEndsFull => {
                    if oversized.is_none() {
                        if self.ends.len() >= MAX_FIELDS {
                            oversized = Some(format!("record has more than {MAX_FIELDS} fields"));
                        } else {
                            let len = (self.ends.len() * 2).min(MAX_FIELDS);
                            self.ends.resize(len, 0);
                        }
                    }
                }
                ReadRecordResult::Record => break,
                ReadRecordResult::End => {
                    if oversized.is_none() && endlen == 0 {
                        return Ok(None);
                    }
                    break;
                }
            }
        }
        if let Some(reason) = oversized {
            return Ok(Some(Record::Oversized { line, reason }));
        }
        let ends = &self.ends[..endlen];
        let mut previous = 0;
        for (i, &end) in ends.iter().enumerate() {
            let len = end.saturating_sub(previous);
            if len > MAX_FIELD_BYTES {
                return Ok(Some(Record::Oversized {
                    line,
                    reason: format!(
                        "field {} is {} KiB, over the {} KiB limit",
                        i + 1,
                        len.div_ceil(1024),
                        MAX_FIELD_BYTES / 1024
                    ),
                }));
            }
            previous = end;
        }
        Ok(Some(Record::Fields(Fields {
            line,
            data: &self.out[..outlen],
            ends,
        })))
    }
}

/// Line breaks in `bytes`: LF, CRLF and a lone CR (old Mac exports) each end one line.
/// `prev_cr` carries whether the byte before `bytes` was a CR, across chunks and records.
fn line_breaks(prev_cr: &mut bool, bytes: &[u8]) -> u64 {
    let mut breaks = 0;
    for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        let after_cr = if i == 0 {
            *prev_cr
        } else {
            bytes[i - 1] == b'\r'
        };
        if bytes[i] == b'\r' || !after_cr {
            breaks += 1;
        }
    }
    if let Some(&last) = bytes.last() {
        *prev_cr = last == b'\r';
    }
    breaks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lf_crlf_and_lone_cr_each_end_one_line_across_chunks() {
        let mut prev = false;
        assert_eq!(line_breaks(&mut prev, b"a\nb\r\nc\rd\r"), 4);
        assert!(prev);
        assert_eq!(
            line_breaks(&mut prev, b"\nx"),
            0,
            "the LF of a CRLF split across chunks"
        );
        assert_eq!(line_breaks(&mut prev, b"\r\r"), 2);
    }

    fn read_all(input: &[u8]) -> Vec<(u64, Vec<String>)> {
        let mut reader = RecordReader::new(input);
        let mut out = Vec::new();
        while let Some(record) = reader.next_record().unwrap() {
            match record {
                Record::Fields(f) => out.push((
                    f.line,
                    f.iter()
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .collect(),
                )),
                Record::Oversized { line, reason } => out.push((line, vec![reason])),
            }
        }
        out
    }

    #[test]
    fn lines_are_physical_record_starts() {
        let input = b"email,cohort\r\n\r\na@x.io,\"multi\nline\nlabel\"\r\nb@x.io,c\n\nc@x.io,d";
        let records = read_all(input);
        let lines: Vec<u64> = records.iter().map(|r| r.0).collect();
        assert_eq!(lines, [1, 3, 6, 8]);
        assert_eq!(records[1].1, ["a@x.io", "multi\nline\nlabel"]);
        assert_eq!(records[3].1, ["c@x.io", "d"]);
    }

    #[test]
    fn bom_is_skipped_and_quotes_unescaped() {
        let records = read_all(b"\xEF\xBB\xBF\"email\",cohort\n\"a\"\"b@x.io\",c\n");
        assert_eq!(records[0].1, ["email", "cohort"]);
        assert_eq!(records[1].1, ["a\"b@x.io", "c"]);
    }

    #[test]
    fn huge_field_is_refused_and_reading_goes_on() {
        let mut input = b"email,cohort\n".to_vec();
        input.extend(std::iter::repeat_n(b'a', 100 * 1024));
        input.extend(b",x\n");
        input.push(b'"');
        input.extend(std::iter::repeat_n(b'b', 2 * 1024 * 1024));
        input.extend(b"\"\nok@x.io,y\n");
        let records = read_all(&input);
        assert_eq!(records.len(), 4);
        assert!(
            records[1].1[0].contains("field 1 is 100 KiB"),
            "{:?}",
            records[1]
        );
        assert!(records[2].1[0].contains("256 KiB"), "{:?}", records[2]);
        assert_eq!(records[3], (4, vec!["ok@x.io".into(), "y".into()]));
    }

    #[test]
    fn hash_covers_the_whole_input() {
        let input = b"\xEF\xBB\xBFemail,cohort\na@x.io,c\n";
        let mut reader = RecordReader::new(&input[..]);
        assert!(reader.sha256().is_none());
        while reader.next_record().unwrap().is_some() {}
        assert_eq!(reader.sha256().unwrap(), hex::encode(Sha256::digest(input)));
        assert_eq!(reader.bytes(), input.len() as u64);
    }

    #[test]
    fn empty_and_blank_inputs_have_no_records() {
        assert!(read_all(b"").is_empty());
        assert!(read_all(b"\xEF\xBB\xBF").is_empty());
        assert!(read_all(b"\r\n\n\r\n").is_empty());
    }
}
