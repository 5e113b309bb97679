//! The zip central directory of a PyTorch checkpoint (zip64 included), read with bounds; only stored
//! (uncompressed) members have readable data, which is what `torch.save` writes.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::read::{invalid, MAX_HEADER};
use super::WeightsError;

pub(super) struct Member {
    pub name: String,
    pub method: u16,
    pub size: u64,
    pub local: u64,
}

pub(super) fn le(b: &[u8], at: usize, n: usize) -> u64 {
    let mut v = 0u64;
    for i in (0..n).rev() {
        v = (v << 8) | *b.get(at + i).unwrap_or(&0) as u64;
    }
    v
}

pub(super) fn read_at(f: &mut File, path: &Path, off: u64, n: u64) -> Result<Vec<u8>, WeightsError> {
    if n > MAX_HEADER {
        return Err(invalid(path, "model-header-too-large", format!("a {n}-byte zip structure; not read")));
    }
    f.seek(SeekFrom::Start(off))
        .map_err(|e| WeightsError::Io { path: path.display().to_string(), source: e })?;
    let mut b = vec![0u8; n as usize];
    f.read_exact(&mut b).map_err(|_| invalid(path, "model-header-truncated", "zip structure ends early"))?;
    Ok(b)
}

pub(super) fn members(f: &mut File, path: &Path, size: u64) -> Result<Vec<Member>, WeightsError> {
    let tail_len = size.min(65_557 + 20);
    let tail = read_at(f, path, size - tail_len, tail_len)?;
    let eocd = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| tail[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
        .ok_or_else(|| {
            let legacy = tail.first() == Some(&0x80);
            invalid(
                path,
                "weights-format-unsupported",
                if legacy {
                    "a legacy (pre-1.6) PyTorch pickle, not a zip checkpoint: not read (convert it to safetensors)"
                } else {
                    "not a zip archive (no end-of-central-directory record): not a PyTorch zip checkpoint"
                },
            )
        })?;
    let mut count = le(&tail, eocd + 10, 2);
    let mut cd_size = le(&tail, eocd + 12, 4);
    let mut cd_off = le(&tail, eocd + 16, 4);
    if count == 0xffff || cd_size == 0xffff_ffff || cd_off == 0xffff_ffff {
        let loc = eocd
            .checked_sub(20)
            .filter(|&l| tail[l..l + 4] == [0x50, 0x4b, 0x06, 0x07])
            .ok_or_else(|| invalid(path, "model-header-invalid", "zip64 locator missing"))?;
        let rec_off = le(&tail, loc + 8, 8);
        let rec = read_at(f, path, rec_off, 56)?;
        if rec[..4] != [0x50, 0x4b, 0x06, 0x06] {
            return Err(invalid(path, "model-header-invalid", "zip64 end record missing"));
        }
        count = le(&rec, 32, 8);
        cd_size = le(&rec, 40, 8);
        cd_off = le(&rec, 48, 8);
    }
    if count > 1 << 20 || cd_off.saturating_add(cd_size) > size {
        return Err(invalid(
            path,
            "model-header-invalid",
            format!("implausible zip directory ({count} members at {cd_off})"),
        ));
    }
    let cd = read_at(f, path, cd_off, cd_size)?;
    let mut out = Vec::new();
    let mut p = 0usize;
    for _ in 0..count {
        if p + 46 > cd.len() || cd[p..p + 4] != [0x50, 0x4b, 0x01, 0x02] {
            return Err(invalid(path, "model-header-invalid", "zip central directory is damaged"));
        }
        let method = le(&cd, p + 10, 2) as u16;
        let mut csize = le(&cd, p + 20, 4);
        let mut usize_ = le(&cd, p + 24, 4);
        let (nl, el, cl) =
            (le(&cd, p + 28, 2) as usize, le(&cd, p + 30, 2) as usize, le(&cd, p + 32, 2) as usize);
        let mut local = le(&cd, p + 42, 4);
        let name_end = p + 46 + nl;
        if name_end + el + cl > cd.len() {
            return Err(invalid(path, "model-header-invalid", "zip central directory is damaged"));
        }
        let name = String::from_utf8_lossy(&cd[p + 46..name_end]).into_owned();
        // Zip64 extra field: the 0xffffffff fields, in order.
        let mut e = name_end;
        while e + 4 <= name_end + el {
            let (id, len) = (le(&cd, e, 2), le(&cd, e + 2, 2) as usize);
            if id == 1 {
                let mut q = e + 4;
                for field in [&mut usize_, &mut csize, &mut local] {
                    if *field == 0xffff_ffff {
                        *field = le(&cd, q, 8);
                        q += 8;
                    }
                }
            }
            e += 4 + len;
        }
        out.push(Member { name, method, size: usize_.max(csize), local });
        p = name_end + el + cl;
    }
    Ok(out)
}

pub(super) fn data_offset(f: &mut File, path: &Path, m: &Member, size: u64) -> Result<u64, WeightsError> {
    let h = read_at(f, path, m.local, 30)?;
    if h[..4] != [0x50, 0x4b, 0x03, 0x04] {
        return Err(invalid(
            path,
            "model-header-invalid",
            format!("zip member `{}` has no local header", m.name),
        ));
    }
    let off = m.local + 30 + le(&h, 26, 2) + le(&h, 28, 2);
    if off.saturating_add(m.size) > size {
        return Err(invalid(
            path,
            "weights-tensor-out-of-file",
            format!("zip member `{}` extends past the file", m.name),
        ));
    }
    if m.method != 0 {
        return Err(invalid(
            path,
            "weights-format-unsupported",
            format!(
                "zip member `{}` is compressed (method {}): torch.save writes stored members; not read",
                m.name, m.method
            ),
        ));
    }
    Ok(off)
}
