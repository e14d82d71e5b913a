"""The few parts of ONNX's ModelProto that app/adapters/onnx_exact reads and writes, in
protobuf's wire format (varints and length-delimited fields; the field numbers of
onnx.proto3, stable across onnx versions): the application ships onnxruntime only, not
the ``onnx`` package. Fields are read as spans of the buffer, so what is not rewritten
is copied byte for byte.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

# onnx.proto3 field numbers (stable across onnx versions)
MODEL_GRAPH = 7
GRAPH_NODE, GRAPH_INITIALIZER, GRAPH_INPUT = 1, 5, 11
NODE_INPUT, NODE_OUTPUT, NODE_NAME, NODE_OP, NODE_ATTR, NODE_DOMAIN = 1, 2, 3, 4, 5, 7
ATTR_NAME, ATTR_I, ATTR_S, ATTR_T, ATTR_TYPE = 1, 3, 4, 5, 20
ATTR_INT = 2
T_DIMS, T_TYPE, T_FLOATS, T_NAME, T_RAW = 1, 2, 4, 8, 9
FLOAT, INT32, INT64 = 1, 6, 7
VARINT, I64, LEN, I32 = 0, 1, 2, 5


@dataclass(frozen=True)
class Field:
    number: int
    wire: int
    start: int          # the field's first byte (its key) in the buffer
    end: int            # one past its last byte
    value: int          # varint / fixed value; for LEN: the payload's start
    stop: int = 0       # for LEN: the payload's end


def read_varint(b: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        c = b[i]
        i += 1
        result |= (c & 0x7F) << shift
        if c < 0x80:
            return result, i
        shift += 7
        if shift > 63:
            raise ValueError("malformed varint")


def fields(b: bytes, lo: int = 0, hi: int | None = None) -> list[Field]:
    """The top-level fields of the message b[lo:hi], in order."""
    hi = len(b) if hi is None else hi
    out, i = [], lo
    while i < hi:
        start = i
        key, i = read_varint(b, i)
        number, wire = key >> 3, key & 7
        if wire == VARINT:
            v, i = read_varint(b, i)
            out.append(Field(number, wire, start, i, v))
        elif wire == I64:
            out.append(Field(number, wire, start, i + 8, int.from_bytes(b[i:i + 8], "little")))
            i += 8
        elif wire == I32:
            out.append(Field(number, wire, start, i + 4, int.from_bytes(b[i:i + 4], "little")))
            i += 4
        elif wire == LEN:
            n, j = read_varint(b, i)
            out.append(Field(number, wire, start, j + n, j, j + n))
            i = j + n
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
    if i != hi:
        raise ValueError("truncated protobuf message")
    return out


def text(b: bytes, f: Field) -> str:
    return b[f.value:f.stop].decode("utf-8")


def enc_varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        c = n & 0x7F
        n >>= 7
        if n:
            out.append(c | 0x80)
        else:
            out.append(c)
            return bytes(out)


def len_field(number: int, payload: bytes) -> bytes:
    return enc_varint(number << 3 | LEN) + enc_varint(len(payload)) + payload


def int_field(number: int, v: int) -> bytes:
    return enc_varint(number << 3 | VARINT) + enc_varint(v)


def node_field(op: str, inputs: list[str], outputs: list[str], name: str,
          ints: dict[str, int] | None = None) -> bytes:
    body = b"".join(len_field(NODE_INPUT, s.encode()) for s in inputs)
    body += b"".join(len_field(NODE_OUTPUT, s.encode()) for s in outputs)
    body += len_field(NODE_NAME, name.encode()) + len_field(NODE_OP, op.encode())
    for k, v in (ints or {}).items():
        body += len_field(NODE_ATTR, len_field(ATTR_NAME, k.encode())
                           + int_field(ATTR_I, v) + int_field(ATTR_TYPE, ATTR_INT))
    return len_field(GRAPH_NODE, body)


def tensor_field(name: str, a: np.ndarray) -> bytes:
    dtype = {np.dtype(np.float32): FLOAT, np.dtype(np.int32): INT32,
             np.dtype(np.int64): INT64}[a.dtype]
    dims = b"".join(enc_varint(int(d)) for d in a.shape)
    body = (len_field(T_DIMS, dims) + int_field(T_TYPE, dtype)
            + len_field(T_NAME, name.encode())
            + len_field(T_RAW, np.ascontiguousarray(a, a.dtype.newbyteorder("<")).tobytes()))
    return len_field(GRAPH_INITIALIZER, body)


def read_tensor(b: bytes, lo: int, hi: int) -> np.ndarray | None:
    """A float32 TensorProto's value (raw or float_data), else None."""
    dims: list[int] = []
    dtype = 0
    raw: bytes | None = None
    floats: list[float] = []
    for f in fields(b, lo, hi):
        if f.number == T_DIMS and f.wire == VARINT:
            dims.append(f.value)
        elif f.number == T_DIMS and f.wire == LEN:
            j = f.value
            while j < f.stop:
                d, j = read_varint(b, j)
                dims.append(d)
        elif f.number == T_TYPE:
            dtype = f.value
        elif f.number == T_RAW:
            raw = b[f.value:f.stop]
        elif f.number == T_FLOATS and f.wire == LEN:
            floats.extend(struct.unpack(f"<{(f.stop - f.value) // 4}f", b[f.value:f.stop]))
        elif f.number == T_FLOATS and f.wire == I32:
            floats.append(struct.unpack("<f", f.value.to_bytes(4, "little"))[0])
    if dtype != FLOAT:
        return None
    a = np.frombuffer(raw, "<f4") if raw is not None else np.array(floats, np.float32)
    if a.size != int(np.prod(dims)):
        return None
    return a.astype(np.float32).reshape(dims)


@dataclass
class Node:
    field: Field
    op: str
    inputs: list[str]
    outputs: list[str]
    attrs: dict[str, Field]
    domain: str


def node_of(b: bytes, f: Field) -> Node:
    op, domain, ins, outs, attrs = "", "", [], [], {}
    for g in fields(b, f.value, f.stop):
        if g.number == NODE_OP:
            op = text(b, g)
        elif g.number == NODE_DOMAIN:
            domain = text(b, g)
        elif g.number == NODE_INPUT:
            ins.append(text(b, g))
        elif g.number == NODE_OUTPUT:
            outs.append(text(b, g))
        elif g.number == NODE_ATTR:
            name = next((text(b, h) for h in fields(b, g.value, g.stop)
                         if h.number == ATTR_NAME), "")
            attrs[name] = g
    return Node(f, op, ins, outs, attrs, domain)


def attr(b: bytes, f: Field | None, number: int) -> Any:
    if f is None:
        return None
    for h in fields(b, f.value, f.stop):
        if h.number == number:
            return text(b, h) if h.wire == LEN and number == ATTR_S else h
    return None


def image_hw(b: bytes, graph: list[Field]) -> tuple[int, int] | None:
    """(H, W) of the graph's only 4-D input with static spatial sizes (the GridSample's
    input has them in the 2.x classifiers; the probe check confirms it)."""
    found = []
    for f in graph:
        if f.number != GRAPH_INPUT:
            continue
        dims: list[int | None] = []
        # ValueInfoProto.type(2) -> TypeProto.tensor_type(1) -> shape(2) -> dim(1)
        for t in fields(b, f.value, f.stop):
            if t.number != 2:
                continue
            for tt in fields(b, t.value, t.stop):
                if tt.number != 1:
                    continue
                for sh in fields(b, tt.value, tt.stop):
                    if sh.number != 2:
                        continue
                    for d in fields(b, sh.value, sh.stop):
                        vals = [x.value for x in fields(b, d.value, d.stop) if x.number == 1]
                        dims.append(vals[0] if vals else None)
        if len(dims) == 4 and dims[2] and dims[3]:
            found.append((int(dims[2]), int(dims[3])))
    return found[0] if len(found) == 1 else None
