//! Where each tensor's bytes are: safetensors (single and sharded), GGUF, PyTorch zip checkpoints
//! ([`super::pickle`]). Only headers are parsed here, with bounds: a header larger than
//! [`MAX_HEADER`], a tensor outside its file, overlapping tensors or a size that disagrees with the
//! shape are refused with the file named.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::sketch::Elem;
use super::WeightsError;

/// The largest header read (safetensors JSON, GGUF metadata, a pickle): 100 MiB.
pub const MAX_HEADER: u64 = 100 * 1024 * 1024;

/// One tensor's place in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorLoc {
    pub name: String,
    /// Row-major (outermost first), as safetensors and PyTorch write it; GGUF dims are reversed to match.
    pub shape: Vec<u64>,
    /// As the file names it (`BF16`, `F16`, `Q8_0` …).
    pub dtype: String,
    /// How to read its values, when the sketch can.
    pub elem: Option<Elem>,
    pub file: PathBuf,
    pub offset: u64,
    pub len: u64,
}

impl TensorLoc {
    pub fn numel(&self) -> u64 {
        self.shape.iter().product()
    }
}

pub(crate) fn invalid(path: &Path, code: &'static str, msg: impl Into<String>) -> WeightsError {
    WeightsError::Invalid { path: path.display().to_string(), code, msg: msg.into() }
}

fn io(path: &Path, e: std::io::Error) -> WeightsError {
    WeightsError::Io { path: path.display().to_string(), source: e }
}

/// Refuses tensors that overlap or leave their file.
fn check_ranges(path: &Path, file_size: u64, tensors: &[TensorLoc]) -> Result<(), WeightsError> {
    let mut ranges: Vec<(u64, u64, &str)> =
        tensors.iter().map(|t| (t.offset, t.offset.saturating_add(t.len), t.name.as_str())).collect();
    ranges.sort();
    for (s, e, name) in &ranges {
        if *e > file_size || e < s {
            return Err(invalid(
                path,
                "weights-tensor-out-of-file",
                format!("tensor `{name}` spans bytes {s}..{e} but the file has {file_size}"),
            ));
        }
    }
    for w in ranges.windows(2) {
        if w[1].0 < w[0].1 && w[1].1 > w[1].0 && w[0].1 > w[0].0 {
            return Err(invalid(
                path,
                "weights-tensors-overlap",
                format!(
                    "tensors `{}` and `{}` overlap (bytes {}..{} and {}..{})",
                    w[0].2, w[1].2, w[0].0, w[0].1, w[1].0, w[1].1
                ),
            ));
        }
    }
    Ok(())
}

fn st_elem(dtype: &str) -> (Option<Elem>, Option<u64>) {
    match dtype {
        "F32" => (Some(Elem::F32), Some(4)),
        "F16" => (Some(Elem::F16), Some(2)),
        "BF16" => (Some(Elem::Bf16), Some(2)),
        "F64" => (Some(Elem::F64), Some(8)),
        "I8" | "U8" | "BOOL" | "F8_E4M3" | "F8_E5M2" => (None, Some(1)),
        "I16" | "U16" => (None, Some(2)),
        "I32" | "U32" => (None, Some(4)),
        "I64" | "U64" => (None, Some(8)),
        _ => (None, None),
    }
}

/// The tensors of one `.safetensors` file.
pub fn safetensors(path: &Path) -> Result<Vec<TensorLoc>, WeightsError> {
    let mut f = File::open(path).map_err(|e| io(path, e))?;
    let size = f.metadata().map_err(|e| io(path, e))?.len();
    let mut len = [0u8; 8];
    f.read_exact(&mut len)
        .map_err(|_| invalid(path, "model-header-truncated", "shorter than a safetensors header"))?;
    let n = u64::from_le_bytes(len);
    if n > MAX_HEADER {
        return Err(invalid(
            path,
            "model-header-too-large",
            format!("declares a {n}-byte safetensors header (limit {MAX_HEADER}); not read"),
        ));
    }
    if n.saturating_add(8) > size {
        return Err(invalid(
            path,
            "model-header-truncated",
            format!("declares a {n}-byte header but the file has {size} bytes"),
        ));
    }
    let mut buf = Vec::with_capacity(n as usize);
    (&mut f).take(n).read_to_end(&mut buf).map_err(|e| io(path, e))?;
    let v: Value = serde_json::from_slice(&buf).map_err(|e| {
        invalid(path, "model-header-invalid", format!("safetensors header is not valid JSON: {e}"))
    })?;
    let obj =
        v.as_object().ok_or_else(|| invalid(path, "model-header-invalid", "header is not a JSON object"))?;
    let base = 8 + n;
    let mut out = Vec::new();
    for (name, t) in obj {
        if name == "__metadata__" {
            continue;
        }
        let bad = |m: &str| invalid(path, "model-header-invalid", format!("tensor `{name}`: {m}"));
        let dtype = t.get("dtype").and_then(Value::as_str).ok_or_else(|| bad("no dtype"))?;
        let shape: Vec<u64> = t
            .get("shape")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("no shape"))?
            .iter()
            .map(|d| d.as_u64().ok_or_else(|| bad("a dimension is not a non-negative integer")))
            .collect::<Result<_, _>>()?;
        let offs = t.get("data_offsets").and_then(Value::as_array).ok_or_else(|| bad("no data_offsets"))?;
        let (Some(s), Some(e)) = (offs.first().and_then(Value::as_u64), offs.get(1).and_then(Value::as_u64))
        else {
            return Err(bad("data_offsets are not two integers"));
        };
        if e < s {
            return Err(bad("data_offsets end before they start"));
        }
        let numel =
            shape.iter().try_fold(1u64, |a, d| a.checked_mul(*d)).ok_or_else(|| bad("shape overflows"))?;
        let (elem, esize) = st_elem(dtype);
        if let Some(es) = esize {
            if numel.checked_mul(es) != Some(e - s) {
                return Err(bad(&format!(
                    "shape {shape:?} of {dtype} needs {} bytes, offsets give {}",
                    numel.saturating_mul(es),
                    e - s
                )));
            }
        }
        out.push(TensorLoc {
            name: name.clone(),
            shape,
            dtype: dtype.to_string(),
            elem,
            file: path.to_path_buf(),
            offset: base.saturating_add(s),
            len: e - s,
        });
    }
    check_ranges(path, size, &out)?;
    Ok(out)
}

/// The shard files a `model.safetensors.index.json` names (relative to its directory).
pub fn shard_index(path: &Path) -> Result<Vec<PathBuf>, WeightsError> {
    let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| invalid(path, "weights-index-invalid", format!("not valid JSON: {e}")))?;
    let map = v
        .get("weight_map")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid(path, "weights-index-invalid", "no `weight_map` object"))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut files: Vec<String> = Vec::new();
    for (tensor, f) in map {
        let f = f.as_str().ok_or_else(|| {
            invalid(path, "weights-index-invalid", format!("`{tensor}` maps to a non-string"))
        })?;
        if f.starts_with('/') || f.split(['/', '\\']).any(|p| p == "..") {
            return Err(invalid(
                path,
                "weights-index-invalid",
                format!("shard `{f}` is outside the model folder"),
            ));
        }
        if !files.iter().any(|x| x == f) {
            files.push(f.to_string());
        }
    }
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let p = dir.join(&f);
        if !p.is_file() {
            return Err(invalid(path, "weights-shard-missing", format!("shard `{f}` is missing")));
        }
        out.push(p);
    }
    Ok(out)
}

/// GGUF type → (name, bytes per block, values per block, element reader).
fn ggml_type(t: u32) -> Option<(&'static str, u64, u64, Option<Elem>)> {
    Some(match t {
        0 => ("F32", 4, 1, Some(Elem::F32)),
        1 => ("F16", 2, 1, Some(Elem::F16)),
        2 => ("Q4_0", 18, 32, Some(Elem::Q4_0)),
        3 => ("Q4_1", 20, 32, None),
        6 => ("Q5_0", 22, 32, None),
        7 => ("Q5_1", 24, 32, None),
        8 => ("Q8_0", 34, 32, Some(Elem::Q8_0)),
        9 => ("Q8_1", 36, 32, None),
        10 => ("Q2_K", 84, 256, None),
        11 => ("Q3_K", 110, 256, None),
        12 => ("Q4_K", 144, 256, None),
        13 => ("Q5_K", 176, 256, None),
        14 => ("Q6_K", 210, 256, None),
        15 => ("Q8_K", 292, 256, None),
        24 => ("I8", 1, 1, None),
        25 => ("I16", 2, 1, None),
        26 => ("I32", 4, 1, None),
        27 => ("I64", 8, 1, None),
        28 => ("F64", 8, 1, Some(Elem::F64)),
        30 => ("BF16", 2, 1, Some(Elem::Bf16)),
        _ => return None,
    })
}

struct Gguf<'a> {
    r: BufReader<File>,
    pos: u64,
    limit: u64,
    path: &'a Path,
}

impl Gguf<'_> {
    fn take(&mut self, n: u64) -> Result<Vec<u8>, WeightsError> {
        if self.pos.saturating_add(n) > self.limit {
            return Err(invalid(
                self.path,
                "model-header-truncated",
                "GGUF header ends early or exceeds the read limit",
            ));
        }
        let mut b = vec![0u8; n as usize];
        self.r
            .read_exact(&mut b)
            .map_err(|_| invalid(self.path, "model-header-truncated", "GGUF header ends early"))?;
        self.pos += n;
        Ok(b)
    }
    fn skip(&mut self, n: u64) -> Result<(), WeightsError> {
        if self.pos.saturating_add(n) > self.limit {
            return Err(invalid(
                self.path,
                "model-header-truncated",
                "GGUF header ends early or exceeds the read limit",
            ));
        }
        self.r.seek_relative(n as i64).map_err(|e| io(self.path, e))?;
        self.pos += n;
        Ok(())
    }
    fn u32(&mut self) -> Result<u32, WeightsError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64, WeightsError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(&b);
        Ok(u64::from_le_bytes(a))
    }
    fn string(&mut self) -> Result<String, WeightsError> {
        let n = self.u64()?;
        if n > 1 << 20 {
            return Err(invalid(self.path, "model-header-invalid", format!("GGUF string of {n} bytes")));
        }
        Ok(String::from_utf8_lossy(&self.take(n)?).into_owned())
    }
    /// Skips one value; returns it when it is a u32 (for `general.alignment`).
    fn value(&mut self, ty: u32, depth: u32) -> Result<Option<u64>, WeightsError> {
        let fixed = |t: u32| match t {
            0 | 1 | 7 => Some(1u64),
            2 | 3 => Some(2),
            4..=6 => Some(4),
            10..=12 => Some(8),
            _ => None,
        };
        match ty {
            4 => Ok(Some(self.u32()? as u64)),
            8 => {
                let n = self.u64()?;
                self.skip(n)?;
                Ok(None)
            }
            9 => {
                if depth > 2 {
                    return Err(invalid(self.path, "model-header-invalid", "GGUF arrays nested too deeply"));
                }
                let ety = self.u32()?;
                let n = self.u64()?;
                match fixed(ety) {
                    Some(s) => self.skip(n.saturating_mul(s))?,
                    None if ety == 8 || ety == 9 => {
                        for _ in 0..n {
                            self.value(ety, depth + 1)?;
                        }
                    }
                    None => {
                        return Err(invalid(
                            self.path,
                            "model-header-invalid",
                            format!("unknown GGUF value type {ety}"),
                        ))
                    }
                }
                Ok(None)
            }
            t => match fixed(t) {
                Some(s) => {
                    self.skip(s)?;
                    Ok(None)
                }
                None => {
                    Err(invalid(self.path, "model-header-invalid", format!("unknown GGUF value type {t}")))
                }
            },
        }
    }
}

/// The tensors of one GGUF file (versions 2 and 3).
pub fn gguf(path: &Path) -> Result<Vec<TensorLoc>, WeightsError> {
    let f = File::open(path).map_err(|e| io(path, e))?;
    let size = f.metadata().map_err(|e| io(path, e))?.len();
    let mut g = Gguf { r: BufReader::new(f), pos: 0, limit: size.min(MAX_HEADER), path };
    if g.take(4).map_err(|_| invalid(path, "model-header-truncated", "shorter than a GGUF header"))?
        != b"GGUF"
    {
        return Err(invalid(path, "model-header-invalid", "not a GGUF file (bad magic)"));
    }
    let version = g.u32()?;
    if !(2..=3).contains(&version) {
        return Err(invalid(path, "model-header-invalid", format!("unsupported GGUF version {version}")));
    }
    let count = g.u64()?;
    let kvs = g.u64()?;
    if count > 1 << 22 || kvs > 1 << 20 {
        return Err(invalid(
            path,
            "model-header-invalid",
            format!("implausible GGUF counts ({count} tensors, {kvs} keys)"),
        ));
    }
    let mut alignment = 32u64;
    for _ in 0..kvs {
        let key = g.string()?;
        let ty = g.u32()?;
        let v = g.value(ty, 0)?;
        if key == "general.alignment" {
            alignment = v.filter(|a| *a > 0 && a.is_power_of_two()).unwrap_or(32);
        }
    }
    let mut infos = Vec::new();
    for _ in 0..count {
        let name = g.string()?;
        let nd = g.u32()?;
        if nd > 8 {
            return Err(invalid(
                path,
                "model-header-invalid",
                format!("tensor `{name}` has {nd} dimensions"),
            ));
        }
        let mut dims = Vec::new();
        for _ in 0..nd {
            dims.push(g.u64()?);
        }
        let ty = g.u32()?;
        let off = g.u64()?;
        infos.push((name, dims, ty, off));
    }
    let data = g.pos.div_ceil(alignment) * alignment;
    let mut out = Vec::new();
    for (name, mut dims, ty, off) in infos {
        let (tname, bbytes, belems, elem) = ggml_type(ty).ok_or_else(|| {
            invalid(path, "model-header-invalid", format!("tensor `{name}` has unknown type {ty}"))
        })?;
        let numel = dims.iter().try_fold(1u64, |a, d| a.checked_mul(*d)).ok_or_else(|| {
            invalid(path, "model-header-invalid", format!("tensor `{name}`: shape overflows"))
        })?;
        if numel % belems != 0 {
            return Err(invalid(
                path,
                "model-header-invalid",
                format!("tensor `{name}`: {numel} values is not whole {tname} blocks"),
            ));
        }
        let len = (numel / belems).checked_mul(bbytes).ok_or_else(|| {
            invalid(path, "model-header-invalid", format!("tensor `{name}`: size overflows"))
        })?;
        dims.reverse();
        out.push(TensorLoc {
            name,
            shape: dims,
            dtype: tname.to_string(),
            elem,
            file: path.to_path_buf(),
            offset: data.saturating_add(off),
            len,
        });
    }
    check_ranges(path, size, &out)?;
    Ok(out)
}

/// The weight files of a model folder, in the order they are read, and which reader applies.
/// safetensors (by the shard index when there is one) win over PyTorch checkpoints, which win over
/// GGUF: a folder usually carries the same weights in several formats.
pub fn weight_files(dir: &Path) -> Result<Vec<PathBuf>, WeightsError> {
    if dir.is_file() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let rd = std::fs::read_dir(dir).map_err(|e| io(dir, e))?;
    let mut st = Vec::new();
    let mut pt = Vec::new();
    let mut gg = Vec::new();
    let mut index = None;
    for e in rd.flatten() {
        let p = e.path();
        if !p.is_file() {
            continue;
        }
        let name = e.file_name().to_string_lossy().to_ascii_lowercase();
        if name == "model.safetensors.index.json" {
            index = Some(p);
        } else if name.ends_with(".safetensors") {
            st.push(p);
        } else if name.ends_with(".gguf") {
            gg.push(p);
        } else if is_torch_checkpoint(&name) {
            pt.push(p);
        }
    }
    if let Some(i) = index {
        return shard_index(&i);
    }
    for v in [&mut st, &mut pt, &mut gg] {
        v.sort();
    }
    Ok(if !st.is_empty() {
        st
    } else if !pt.is_empty() {
        pt
    } else {
        gg
    })
}

/// `pytorch_model*.bin`, `model*.bin`, `*.pt`, `*.pth` (not `training_args.bin`, `optimizer.pt` …).
pub fn is_torch_checkpoint(lower_name: &str) -> bool {
    let not = ["training_args", "optimizer", "scheduler", "rng_state", "scaler"];
    if not.iter().any(|n| lower_name.starts_with(n)) {
        return false;
    }
    lower_name.ends_with(".pt")
        || lower_name.ends_with(".pth")
        || (lower_name.ends_with(".bin")
            && (lower_name.starts_with("pytorch_model") || lower_name.starts_with("model")))
}

/// The tensors of any supported file, by its name.
pub fn tensors_of(path: &Path) -> Result<Vec<TensorLoc>, WeightsError> {
    let lower = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let mut head = [0u8; 8];
    if File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && &head == b"version " {
        return Err(invalid(path, "model-weights-not-present", "a Git LFS pointer, not the weights"));
    }
    if lower.ends_with(".safetensors") {
        safetensors(path)
    } else if lower.ends_with(".gguf") {
        gguf(path)
    } else if lower.ends_with(".pt")
        || lower.ends_with(".pth")
        || lower.ends_with(".bin")
        || lower.ends_with(".ckpt")
    {
        super::pickle::torch_zip(path)
    } else {
        Err(invalid(path, "weights-format-unknown", "not a safetensors, GGUF or PyTorch file"))
    }
}

/// Reads `len` bytes at `offset` in bounded chunks, handing each (a whole number of `block` bytes) to
/// `f`. The buffer is reused: memory stays at `chunk` bytes whatever the tensor's size.
pub fn read_chunks(
    file: &mut File,
    path: &Path,
    offset: u64,
    len: u64,
    block: usize,
    buf: &mut Vec<u8>,
    mut f: impl FnMut(&[u8]),
) -> Result<(), WeightsError> {
    const CHUNK: usize = 4 << 20;
    let step = (CHUNK / block).max(1) * block;
    buf.resize(step, 0);
    file.seek(SeekFrom::Start(offset)).map_err(|e| io(path, e))?;
    let mut left = len;
    while left > 0 {
        let n = (step as u64).min(left) as usize;
        file.read_exact(&mut buf[..n]).map_err(|_| {
            invalid(
                path,
                "weights-data-truncated",
                format!("tensor data ends early at byte {}", offset + len - left),
            )
        })?;
        f(&buf[..n]);
        left -= n as u64;
    }
    Ok(())
}
