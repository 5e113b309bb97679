//! PyTorch zip checkpoints (`torch.save` since 1.6: `.pt`, `.pth`, `pytorch_model.bin`), read as data.
//!
//! The zip central directory is read by `zip.rs` (zip64 included; only stored, uncompressed members, which is
//! what `torch.save` writes). The `data.pkl` member is parsed opcode by opcode into a tree of values:
//! nothing is ever called. A `GLOBAL` outside the small vocabulary a state dict needs
//! (`collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`, `torch._utils._rebuild_parameter`,
//! `torch.*Storage`, torch dtypes) makes the whole file refused: a loader would import and run it.

use std::fs::File;
use std::path::Path;
use std::rc::Rc;

use super::read::{invalid, TensorLoc};
use super::sketch::Elem;
use super::zip::{data_offset, le, members, read_at};
use super::WeightsError;

/// A pickle value, as data.
#[derive(Debug, Clone)]
enum V {
    None,
    Int(i64),
    Float,
    Str(String),
    Bytes,
    Tuple(Vec<Rc<V>>),
    List(Vec<Rc<V>>),
    Dict(Vec<(Rc<V>, Rc<V>)>),
    Global(String, String),
    Call(Rc<V>, Rc<V>),
    PersId(Rc<V>),
    Mark,
}

/// Globals a state dict needs; anything else is refused.
fn allowed(module: &str, name: &str) -> bool {
    match module {
        "collections" => name == "OrderedDict",
        "torch._utils" => matches!(name, "_rebuild_tensor_v2" | "_rebuild_parameter" | "_rebuild_tensor"),
        "torch" => {
            name.ends_with("Storage")
                || matches!(
                    name,
                    "float32"
                        | "float16"
                        | "bfloat16"
                        | "float64"
                        | "int64"
                        | "int32"
                        | "int16"
                        | "int8"
                        | "uint8"
                        | "bool"
                )
        }
        _ => false,
    }
}

/// Parses a pickle into values without executing anything.
fn parse(path: &Path, b: &[u8]) -> Result<Rc<V>, WeightsError> {
    let bad = |m: String| invalid(path, "weights-pickle-unreadable", m);
    let mut stack: Vec<Rc<V>> = Vec::new();
    let mut memo: std::collections::HashMap<u64, Rc<V>> = Default::default();
    let mut i = 0usize;
    let need = |i: usize, n: usize| -> Result<(), WeightsError> {
        if i + n > b.len() {
            Err(invalid(path, "weights-pickle-unreadable", "pickle ends early"))
        } else {
            Ok(())
        }
    };
    fn pop(stack: &mut Vec<Rc<V>>, path: &Path) -> Result<Rc<V>, WeightsError> {
        stack.pop().ok_or_else(|| invalid(path, "weights-pickle-unreadable", "pickle stack underflow"))
    }
    fn pop_mark(stack: &mut Vec<Rc<V>>, path: &Path) -> Result<Vec<Rc<V>>, WeightsError> {
        let m = stack
            .iter()
            .rposition(|v| matches!(**v, V::Mark))
            .ok_or_else(|| invalid(path, "weights-pickle-unreadable", "pickle MARK missing"))?;
        let items = stack.split_off(m + 1);
        stack.pop();
        Ok(items)
    }
    let mut steps = 0u64;
    loop {
        steps += 1;
        if steps > 50_000_000 || stack.len() > 1_000_000 {
            return Err(bad("pickle too large to read".into()));
        }
        need(i, 1)?;
        let op = b[i];
        i += 1;
        match op {
            0x80 => i += 1,
            0x95 => i += 8,
            b'}' => stack.push(Rc::new(V::Dict(Vec::new()))),
            b']' => stack.push(Rc::new(V::List(Vec::new()))),
            b')' => stack.push(Rc::new(V::Tuple(Vec::new()))),
            b'(' => stack.push(Rc::new(V::Mark)),
            b'N' => stack.push(Rc::new(V::None)),
            0x88 | 0x89 => stack.push(Rc::new(V::Int((op == 0x88) as i64))),
            b'X' | 0x8c | 0x8d | b'U' | b'T' | b'B' | b'C' | 0x8e => {
                let w = match op {
                    0x8c | b'U' | b'C' => 1,
                    0x8d | 0x8e => 8,
                    _ => 4,
                };
                need(i, w)?;
                let n = le(b, i, w);
                i += w;
                if n > b.len() as u64 {
                    return Err(bad("pickle string longer than the pickle".into()));
                }
                need(i, n as usize)?;
                let s = &b[i..i + n as usize];
                i += n as usize;
                stack.push(Rc::new(match op {
                    b'B' | b'C' | 0x8e => V::Bytes,
                    _ => V::Str(String::from_utf8_lossy(s).into_owned()),
                }));
            }
            b'J' => {
                need(i, 4)?;
                stack.push(Rc::new(V::Int(le(b, i, 4) as u32 as i32 as i64)));
                i += 4;
            }
            b'K' => {
                need(i, 1)?;
                stack.push(Rc::new(V::Int(b[i] as i64)));
                i += 1;
            }
            b'M' => {
                need(i, 2)?;
                stack.push(Rc::new(V::Int(le(b, i, 2) as i64)));
                i += 2;
            }
            0x8a => {
                need(i, 1)?;
                let n = b[i] as usize;
                i += 1;
                need(i, n)?;
                let v = if n == 0 {
                    0
                } else if n <= 8 {
                    let raw = le(b, i, n);
                    let shift = 64 - 8 * n as u32;
                    ((raw << shift) as i64) >> shift
                } else {
                    i64::MAX
                };
                i += n;
                stack.push(Rc::new(V::Int(v)));
            }
            b'G' => {
                need(i, 8)?;
                i += 8;
                stack.push(Rc::new(V::Float));
            }
            b't' => {
                let items = pop_mark(&mut stack, path)?;
                stack.push(Rc::new(V::Tuple(items)));
            }
            0x85..=0x87 => {
                let n = (op - 0x84) as usize;
                if stack.len() < n {
                    return Err(bad("pickle stack underflow".into()));
                }
                let items = stack.split_off(stack.len() - n);
                stack.push(Rc::new(V::Tuple(items)));
            }
            b'd' => {
                let items = pop_mark(&mut stack, path)?;
                let pairs = items.chunks_exact(2).map(|p| (p[0].clone(), p[1].clone())).collect();
                stack.push(Rc::new(V::Dict(pairs)));
            }
            b'l' => {
                let items = pop_mark(&mut stack, path)?;
                stack.push(Rc::new(V::List(items)));
            }
            b's' | b'u' => {
                let items = if op == b's' {
                    let v = pop(&mut stack, path)?;
                    let k = pop(&mut stack, path)?;
                    vec![k, v]
                } else {
                    pop_mark(&mut stack, path)?
                };
                let target = stack.last_mut().ok_or_else(|| bad("SETITEMS without a dict".into()))?;
                match Rc::make_mut(target) {
                    V::Dict(d) => d.extend(items.chunks_exact(2).map(|p| (p[0].clone(), p[1].clone()))),
                    _ => return Err(bad("SETITEMS on something that is not a dict".into())),
                }
            }
            b'a' | b'e' => {
                let items =
                    if op == b'a' { vec![pop(&mut stack, path)?] } else { pop_mark(&mut stack, path)? };
                let target = stack.last_mut().ok_or_else(|| bad("APPENDS without a list".into()))?;
                match Rc::make_mut(target) {
                    V::List(l) => l.extend(items),
                    _ => return Err(bad("APPENDS on something that is not a list".into())),
                }
            }
            b'q' | b'r' | 0x94 => {
                let key = match op {
                    b'q' => {
                        need(i, 1)?;
                        i += 1;
                        b[i - 1] as u64
                    }
                    b'r' => {
                        need(i, 4)?;
                        i += 4;
                        le(b, i - 4, 4)
                    }
                    _ => memo.len() as u64,
                };
                let top = stack.last().ok_or_else(|| bad("MEMOIZE on an empty stack".into()))?.clone();
                memo.insert(key, top);
            }
            b'h' | b'j' => {
                let w = if op == b'h' { 1 } else { 4 };
                need(i, w)?;
                let key = le(b, i, w);
                i += w;
                let v = memo.get(&key).ok_or_else(|| bad(format!("pickle memo {key} is not set")))?.clone();
                stack.push(v);
            }
            b'c' | b'i' => {
                let mut lines = [String::new(), String::new()];
                for l in &mut lines {
                    let end = b[i..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .ok_or_else(|| bad("GLOBAL line unterminated".into()))?;
                    *l = String::from_utf8_lossy(&b[i..i + end]).into_owned();
                    i += end + 1;
                }
                let [module, name] = lines;
                if !allowed(&module, &name) {
                    return Err(refuse(path, &module, &name));
                }
                if op == b'i' {
                    pop_mark(&mut stack, path)?;
                }
                stack.push(Rc::new(V::Global(module, name)));
            }
            0x93 => {
                let name = pop(&mut stack, path)?;
                let module = pop(&mut stack, path)?;
                let (V::Str(m), V::Str(n)) = (&*module, &*name) else {
                    return Err(bad("STACK_GLOBAL without two strings".into()));
                };
                if !allowed(m, n) {
                    return Err(refuse(path, m, n));
                }
                stack.push(Rc::new(V::Global(m.clone(), n.clone())));
            }
            b'R' | 0x81 => {
                let args = pop(&mut stack, path)?;
                let f = pop(&mut stack, path)?;
                if !matches!(*f, V::Global(..)) {
                    return Err(bad("REDUCE of something that is not an allowed global".into()));
                }
                let v = match &*f {
                    V::Global(m, n) if m == "collections" && n == "OrderedDict" => V::Dict(Vec::new()),
                    _ => V::Call(f, args),
                };
                stack.push(Rc::new(v));
            }
            b'o' => {
                let items = pop_mark(&mut stack, path)?;
                let Some(V::Global(m, n)) = items.first().map(|v| (**v).clone()) else {
                    return Err(bad("OBJ without a class".into()));
                };
                if !(m == "collections" && n == "OrderedDict") {
                    return Err(refuse(path, &m, &n));
                }
                stack.push(Rc::new(V::Dict(Vec::new())));
            }
            b'b' => {
                // BUILD sets an object's state (an OrderedDict's `_metadata`): the state is dropped.
                pop(&mut stack, path)?;
            }
            b'Q' => {
                let pid = pop(&mut stack, path)?;
                stack.push(Rc::new(V::PersId(pid)));
            }
            0x8f => stack.push(Rc::new(V::List(Vec::new()))),
            0x90 | 0x91 => {
                let items = pop_mark(&mut stack, path)?;
                if op == 0x91 {
                    stack.push(Rc::new(V::List(items)));
                }
            }
            b'0' => {
                pop(&mut stack, path)?;
            }
            b'2' => {
                let top = stack.last().ok_or_else(|| bad("DUP on an empty stack".into()))?.clone();
                stack.push(top);
            }
            b'.' => return pop(&mut stack, path),
            other => {
                return Err(bad(format!("unsupported pickle opcode 0x{other:02x} at byte {}", i - 1)));
            }
        }
    }
}

fn refuse(path: &Path, module: &str, name: &str) -> WeightsError {
    invalid(
        path,
        "weights-pickle-refused",
        format!(
            "the pickle references `{module}.{name}`, which a loader would import and run; \
             refused (sovereign reads pickles as data and never executes them)"
        ),
    )
}

fn storage_elem(name: &str) -> Option<(&'static str, u64, Option<Elem>)> {
    Some(match name {
        "FloatStorage" => ("F32", 4, Some(Elem::F32)),
        "HalfStorage" => ("F16", 2, Some(Elem::F16)),
        "BFloat16Storage" => ("BF16", 2, Some(Elem::Bf16)),
        "DoubleStorage" => ("F64", 8, Some(Elem::F64)),
        "LongStorage" => ("I64", 8, None),
        "IntStorage" => ("I32", 4, None),
        "ShortStorage" => ("I16", 2, None),
        "CharStorage" => ("I8", 1, None),
        "ByteStorage" => ("U8", 1, None),
        "BoolStorage" => ("BOOL", 1, None),
        _ => return None,
    })
}

fn ints(v: &V) -> Option<Vec<u64>> {
    match v {
        V::Tuple(t) => {
            t.iter().map(|x| if let V::Int(i) = **x { u64::try_from(i).ok() } else { None }).collect()
        }
        _ => None,
    }
}

/// A `_rebuild_tensor_v2` call → (dtype, elem, element size, storage key, offset in elements, shape).
type Rebuilt = (&'static str, Option<Elem>, u64, String, u64, Vec<u64>);

fn rebuilt(v: &V) -> Option<Rebuilt> {
    let V::Call(f, args) = v else { return None };
    let V::Global(_, fname) = &**f else { return None };
    let V::Tuple(a) = &**args else { return None };
    if fname == "_rebuild_parameter" {
        return rebuilt(a.first()?);
    }
    let V::PersId(pid) = &**a.first()? else { return None };
    let V::Tuple(p) = &**pid else { return None };
    let V::Global(_, storage) = &**p.get(1)? else { return None };
    let V::Str(key) = &**p.get(2)? else { return None };
    let (dtype, esize, elem) = storage_elem(storage)?;
    let V::Int(off) = **a.get(1)? else { return None };
    let shape = ints(a.get(2)?)?;
    let stride = ints(a.get(3)?)?;
    // Only contiguous row-major tensors are read.
    let mut expect = 1u64;
    for (d, s) in shape.iter().zip(&stride).rev() {
        if *d > 1 && *s != expect {
            return None;
        }
        expect = expect.checked_mul(*d)?;
    }
    Some((dtype, elem, esize, key.clone(), u64::try_from(off).ok()?, shape))
}

fn collect(v: &V, prefix: &str, out: &mut Vec<(String, Rebuilt)>, depth: u32) {
    if depth > 8 {
        return;
    }
    match v {
        V::Dict(d) => {
            for (k, val) in d {
                let V::Str(k) = &**k else { continue };
                let wrapper = depth == 0
                    && matches!(k.as_str(), "state_dict" | "model_state_dict" | "model" | "module");
                let name = if wrapper {
                    String::new()
                } else if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                match rebuilt(val) {
                    Some(r) => out.push((name, r)),
                    None => collect(val, &name, out, depth + 1),
                }
            }
        }
        V::None | V::Int(_) | V::Float | V::Str(_) | V::Bytes | V::Mark => {}
        V::Tuple(_) | V::List(_) | V::Global(..) | V::Call(..) | V::PersId(_) => {}
    }
}

/// The tensors of a PyTorch zip checkpoint.
pub fn torch_zip(path: &Path) -> Result<Vec<TensorLoc>, WeightsError> {
    let mut f =
        File::open(path).map_err(|e| WeightsError::Io { path: path.display().to_string(), source: e })?;
    let size =
        f.metadata().map_err(|e| WeightsError::Io { path: path.display().to_string(), source: e })?.len();
    if size < 22 {
        return Err(invalid(path, "model-header-truncated", "too short for a zip checkpoint"));
    }
    let ms = members(&mut f, path, size)?;
    let pkl = ms
        .iter()
        .filter(|m| m.name.ends_with("/data.pkl") || m.name == "data.pkl")
        .min_by_key(|m| m.name.len())
        .ok_or_else(|| {
            invalid(
                path,
                "weights-format-unsupported",
                "zip without a data.pkl member: not a PyTorch checkpoint",
            )
        })?;
    let prefix = pkl.name.trim_end_matches("data.pkl").to_string();
    let off = data_offset(&mut f, path, pkl, size)?;
    let bytes = read_at(&mut f, path, off, pkl.size)?;
    let root = parse(path, &bytes)?;
    let mut found = Vec::new();
    collect(&root, "", &mut found, 0);
    let mut out = Vec::new();
    for (name, (dtype, elem, esize, key, eoff, shape)) in found {
        let member_name = format!("{prefix}data/{key}");
        let m = ms.iter().find(|m| m.name == member_name).ok_or_else(|| {
            invalid(
                path,
                "weights-storage-missing",
                format!("tensor `{name}`: storage `{member_name}` missing"),
            )
        })?;
        let base = data_offset(&mut f, path, m, size)?;
        let numel = shape.iter().try_fold(1u64, |a, d| a.checked_mul(*d));
        let len = numel.and_then(|n| n.checked_mul(esize));
        let start = eoff.checked_mul(esize);
        match (start, len) {
            (Some(s), Some(l)) if s.saturating_add(l) <= m.size => out.push(TensorLoc {
                name,
                shape,
                dtype: dtype.to_string(),
                elem,
                file: path.to_path_buf(),
                offset: base + s,
                len: l,
            }),
            _ => {
                return Err(invalid(
                    path,
                    "weights-tensor-out-of-file",
                    format!("tensor `{name}` lies outside its storage `{member_name}`"),
                ))
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A stored zip with the given members (for tests): local headers, central directory, end record.
    pub fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut cd = Vec::new();
        for (name, data) in members {
            let off = out.len() as u32;
            let crc = 0u32;
            out.extend_from_slice(&[0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&crc.to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data);
            cd.extend_from_slice(&[0x50, 0x4b, 0x01, 0x02, 20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            cd.extend_from_slice(&crc.to_le_bytes());
            cd.extend_from_slice(&(data.len() as u32).to_le_bytes());
            cd.extend_from_slice(&(data.len() as u32).to_le_bytes());
            cd.extend_from_slice(&(name.len() as u16).to_le_bytes());
            cd.extend_from_slice(&[0u8; 12]);
            cd.extend_from_slice(&off.to_le_bytes());
            cd.extend_from_slice(name.as_bytes());
        }
        let cd_off = out.len() as u32;
        out.extend_from_slice(&cd);
        out.extend_from_slice(&[0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0]);
        out.extend_from_slice(&(members.len() as u16).to_le_bytes());
        out.extend_from_slice(&(members.len() as u16).to_le_bytes());
        out.extend_from_slice(&(cd.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_off.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    /// The pickle `torch.save({"w": tensor(rows x cols, float32)})` writes (protocol 2).
    pub fn state_dict_pickle(name: &str, rows: u64, cols: u64) -> Vec<u8> {
        let mut p = vec![0x80, 2, b'}', b'q', 0, b'(', b'X'];
        p.extend_from_slice(&(name.len() as u32).to_le_bytes());
        p.extend_from_slice(name.as_bytes());
        p.extend_from_slice(b"ctorch._utils\n_rebuild_tensor_v2\nq\x01((X\x07\x00\x00\x00storageq\x02ctorch\nFloatStorage\nq\x03X\x01\x00\x00\x000q\x04X\x03\x00\x00\x00cpuq\x05");
        p.push(b'J');
        p.extend_from_slice(&((rows * cols) as u32).to_le_bytes());
        p.extend_from_slice(b"tq\x06QK\x00");
        p.push(b'J');
        p.extend_from_slice(&(rows as u32).to_le_bytes());
        p.push(b'J');
        p.extend_from_slice(&(cols as u32).to_le_bytes());
        p.push(0x86);
        p.push(b'J');
        p.extend_from_slice(&(cols as u32).to_le_bytes());
        p.extend_from_slice(b"K\x01");
        p.push(0x86);
        p.extend_from_slice(b"\x89ccollections\nOrderedDict\nq\x07)Rq\x08tq\tRq\nu.");
        p
    }

    #[test]
    fn reads_a_state_dict_and_refuses_code() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..12u32).flat_map(|i| (i as f32).to_le_bytes()).collect();
        let pkl = state_dict_pickle("layer.weight", 3, 4);
        let bytes = zip(&[("archive/data.pkl", &pkl), ("archive/data/0", &data)]);
        let p = dir.path().join("pytorch_model.bin");
        std::fs::write(&p, &bytes).unwrap();
        let t = torch_zip(&p).unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!((t[0].name.as_str(), t[0].shape.clone(), t[0].len), ("layer.weight", vec![3, 4], 48));

        // `os.system("touch PWNED")` as a pickle: refused by name, never run.
        let evil = b"\x80\x02cposix\nsystem\nq\x00X\x0a\x00\x00\x00touch PWNEDq\x01\x85q\x02Rq\x03.";
        let bytes = zip(&[("archive/data.pkl", evil)]);
        std::fs::write(&p, &bytes).unwrap();
        let e = torch_zip(&p).unwrap_err();
        assert!(e.to_string().contains("posix.system"), "{e}");
        assert!(!dir.path().join("PWNED").exists());
        // Not a zip at all (a legacy pickle).
        std::fs::write(&p, b"\x80\x02}q\x00.").unwrap();
        assert!(torch_zip(&p).is_err());
    }
}
