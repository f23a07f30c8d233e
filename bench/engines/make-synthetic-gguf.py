"""Writes a Llama-shaped GGUF with random weights and a real tokenizer, for speed measurements only.

Speed depends on a model's shape, not on its weight values, so random Q8_0 blocks stand in for a real
~125M-parameter Llama. The tokenizer keys are copied from a vocab-only GGUF that ships with llama.cpp's
source; its chat template (if any) is not copied, so every engine sees the prompt text as is.

usage: python3 make-synthetic-gguf.py LLAMA_CPP_SOURCE VOCAB_GGUF OUT.gguf [hidden layers heads kv_heads ffn]
needs: numpy, and the gguf-py package from LLAMA_CPP_SOURCE (put on sys.path here).
"""
import sys

import numpy as np

source, vocab_path, out = sys.argv[1:4]
hidden, layers, heads, kv_heads, ffn = (int(v) for v in (sys.argv[4:9] or (768, 12, 12, 4, 2048)))
sys.path.insert(0, source + "/gguf-py")
import gguf  # noqa: E402  (from the llama.cpp source given on the command line)

Q8_0 = gguf.GGMLQuantizationType.Q8_0
BLOCK = 32  # Q8_0: one f16 scale + 32 int8 values per block
rng = np.random.default_rng(0)

reader = gguf.GGUFReader(vocab_path)
writer = gguf.GGUFWriter(out, "llama")
writer.add_name("synthetic-llama-random-weights")
writer.add_context_length(4096)
writer.add_embedding_length(hidden)
writer.add_block_count(layers)
writer.add_feed_forward_length(ffn)
writer.add_head_count(heads)
writer.add_head_count_kv(kv_heads)
writer.add_rope_dimension_count(hidden // heads)
writer.add_rope_freq_base(10000.0)
writer.add_layer_norm_rms_eps(1e-5)
writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0)

vocab_size = 0
for name, field in reader.fields.items():
    if not name.startswith("tokenizer.") or name == "tokenizer.chat_template":
        continue
    kind = field.types[0]
    if kind == gguf.GGUFValueType.ARRAY:
        item = field.types[1]
        if item == gguf.GGUFValueType.STRING:
            values = [bytes(field.parts[i]).decode("utf-8", errors="replace") for i in field.data]
        else:
            values = [field.parts[i].tolist()[0] for i in field.data]
        if name == "tokenizer.ggml.tokens":
            vocab_size = len(values)
        writer.add_key_value(name, values, kind, sub_type=item)
    elif kind == gguf.GGUFValueType.STRING:
        writer.add_key_value(name, bytes(field.parts[field.data[0]]).decode(), kind)
    else:
        writer.add_key_value(name, field.parts[field.data[0]].tolist()[0], kind)
if vocab_size == 0:
    sys.exit(f"{vocab_path} has no tokenizer.ggml.tokens")
writer.add_vocab_size(vocab_size)


def q8_matrix(name: str, rows: int, cols: int) -> None:
    """Random Q8_0 blocks written directly (no float pass): values ~N(0, 0.02)."""
    blocks = cols // BLOCK
    scale = np.full((rows, blocks, 1), 0.02 * 4 / 127, dtype=np.float16).view(np.uint8)  # 2 bytes per block
    values = rng.normal(0, 127 / 4, size=(rows, blocks, BLOCK)).clip(-127, 127).astype(np.int8).view(np.uint8)
    raw = np.concatenate([scale, values], axis=2).reshape(rows, blocks * (BLOCK + 2))
    writer.add_tensor(name, raw, raw_shape=raw.shape, raw_dtype=Q8_0)


def norm(name: str) -> None:
    writer.add_tensor(name, np.ones(hidden, dtype=np.float32))


head_dim = hidden // heads
q8_matrix("token_embd.weight", vocab_size, hidden)
norm("output_norm.weight")
q8_matrix("output.weight", vocab_size, hidden)
for i in range(layers):
    p = f"blk.{i}."
    norm(p + "attn_norm.weight")
    norm(p + "ffn_norm.weight")
    q8_matrix(p + "attn_q.weight", hidden, hidden)
    q8_matrix(p + "attn_k.weight", kv_heads * head_dim, hidden)
    q8_matrix(p + "attn_v.weight", kv_heads * head_dim, hidden)
    q8_matrix(p + "attn_output.weight", hidden, hidden)
    q8_matrix(p + "ffn_gate.weight", ffn, hidden)
    q8_matrix(p + "ffn_up.weight", ffn, hidden)
    q8_matrix(p + "ffn_down.weight", hidden, ffn)
writer.write_header_to_file()
writer.write_kv_data_to_file()
writer.write_tensors_to_file()
writer.close()
params = 2 * vocab_size * hidden + layers * (2 * hidden * hidden + 2 * kv_heads * head_dim * hidden + 3 * hidden * ffn)
print(f"wrote {out}: {params / 1e6:.0f}M parameters, vocab {vocab_size}, Q8_0")
