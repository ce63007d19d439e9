#!/usr/bin/env python3
"""Makes tiny randomly initialised BERT models in sentence-transformers folders, and what an
independent reference (this file: its own tokenizer and a numpy forward pass) computes for them.

    python3 make_tiny_bert.py OUT_DIR
    python3 make_tiny_bert.py --unicode-digest FILE

Writes OUT_DIR/<model>/ (config.json, vocab.txt, model.safetensors, and per model some of
tokenizer_config.json, sentence_bert_config.json, modules.json, 1_Pooling/config.json) and
OUT_DIR/expected.json: for every model and sentence the token ids, the basic tokenizer's words
and the pooled, L2-normalised vector; plus random strings with their words (uncased, cased).

The reference follows Hugging Face's BertTokenizer and BertModel as written in their sources
(transformers' tokenization_bert.py, modeling_bert.py; sentence-transformers' Pooling), and
pads batches with an attention mask as they do. Lowercasing is per character, as the fast
tokenizer (Rust tokenizers) does. Computations are float64.
"""
import json
import os
import struct
import sys
import unicodedata
import zlib

import numpy as np

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PUNCT = list(".,!?()'-—“”…¿«»:$#_‘’")
WORDS = """the a is and of to in it all after nothing night rain rainy sunday jazz music play plays
playing best song time hello world cafe deja vu naive angstrom ecole super
un stra is leading trailing whitespace control chars here quoted question single double
19 1 5 99 about over long sentence with many words query passage""".split()
CASED = ["The", "Hello", "Jazz", "Rainy", "Sunday", "Café", "déjà", "naïve", "Ångström", "École", "é",
         "음악", "İstanbul", "Straße"]
PIECES = ["##y", "##s", "##ing", "##ed", "##able", "##play", "##80", "##tan", "##bul", "##ße", "##a", "##e",
          "##é", "##ö", "##m", "##om", "##str", "##ing", "##ly", "##ness", "##19", "##x"]
# 我喜欢爵士乐 (I like jazz), 音 (sound), 豈's canonical form; Greek and Cyrillic "music";
# the conjoining jamo of 음악, which uncased models see after NFD.
OTHER = ["我", "喜", "欢", "爵", "士", "乐", "音", "\u8c48", "μουσικη", "музыка", "и",
         "\u110b", "##\u1173", "##\u11b7", "##\u110b", "##\u1161", "##\u11a8"]
FILLER = ["word%d" % i for i in range(40)] + ["##p%d" % i for i in range(20)]


def build_vocab():
    vocab, seen = [], set()
    for tok in SPECIAL + PUNCT + WORDS + CASED + PIECES + OTHER + FILLER:
        if tok not in seen:
            seen.add(tok)
            vocab.append(tok)
    return vocab


SENTENCES = [
    "Rainy Sunday jazz, nothing after 1980!",
    "Café déjà vu — naïve Ångström?",
    "我喜欢爵士乐 and jazz music",
    "xyzzy plugh unplayable",
    "  \t\n leading and trailing whitespace \r\n",
    "",
    "control\x00chars\x07 here\u200b\ufffd",
    "ΜΟΥΣΙΚΗ и Музыка",
    "İstanbul Straße",
    "음악 playing",
    "super" + "a" * 120 + " jazz",
    "jazz 🎷 time",
    "«quoted» ¿question? ‘single’ “double” …",
    "e\u0301cole École",
    "\uf900 音",
    "hello-world's best_song #1 $5.99",
    "ＪＡＺＺ",
    " ".join(["the rain plays jazz all night ."] * 12),
    "query: rainy jazz",
    "passage: rainy jazz",
]


# ---------------------------------------------------------------- tokenizer (reference)

def is_whitespace(ch):
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def is_control(ch):
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch).startswith("C")


def is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def basic_tokenize(text, lower, strip):
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or is_control(ch):
            continue
        out.append(" " if is_whitespace(ch) else ch)
    text = "".join(" %s " % ch if is_cjk(ord(ch)) else ch for ch in out)
    words = []
    for tok in text.split():
        if lower:
            tok = "".join(c.lower() for c in tok)
        if strip:
            tok = "".join(c for c in unicodedata.normalize("NFD", tok) if unicodedata.category(c) != "Mn")
        cur = ""
        for ch in tok:
            if is_punctuation(ch):
                if cur:
                    words.append(cur)
                words.append(ch)
                cur = ""
            else:
                cur += ch
        if cur:
            words.append(cur)
    return " ".join(words).split()


def wordpiece(word, vocab_ids):
    if len(word) > 100:
        return [vocab_ids["[UNK]"]]
    out, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            sub = word[start:end] if start == 0 else "##" + word[start:end]
            if sub in vocab_ids:
                found = vocab_ids[sub]
                break
            end -= 1
        if found is None:
            return [vocab_ids["[UNK]"]]
        out.append(found)
        start = end
    return out


def encode(text, vocab_ids, lower, max_len):
    ids = []
    for w in basic_tokenize(text, lower, lower):
        ids.extend(wordpiece(w, vocab_ids))
    ids = ids[:max_len - 2]
    return [vocab_ids["[CLS]"]] + ids + [vocab_ids["[SEP]"]]


# ---------------------------------------------------------------- model (reference)

def make_weights(rng, cfg):
    h, inter = cfg["hidden_size"], cfg["intermediate_size"]
    w = {}

    def mat(*shape, std=0.2):
        return rng.normal(0.0, std, size=shape).astype(np.float32)

    def norm(name):
        w[name + ".weight"] = (1.0 + rng.normal(0, 0.1, size=h)).astype(np.float32)
        w[name + ".bias"] = rng.normal(0, 0.1, size=h).astype(np.float32)

    w["embeddings.word_embeddings.weight"] = mat(cfg["vocab_size"], h, std=1.0)
    w["embeddings.position_embeddings.weight"] = mat(cfg["max_position_embeddings"], h, std=0.5)
    w["embeddings.token_type_embeddings.weight"] = mat(cfg["type_vocab_size"], h, std=0.5)
    norm("embeddings.LayerNorm")
    for i in range(cfg["num_hidden_layers"]):
        p = "encoder.layer.%d." % i
        for part in ("query", "key", "value"):
            w[p + "attention.self.%s.weight" % part] = mat(h, h)
            w[p + "attention.self.%s.bias" % part] = mat(h, std=0.1)
        w[p + "attention.output.dense.weight"] = mat(h, h)
        w[p + "attention.output.dense.bias"] = mat(h, std=0.1)
        norm(p + "attention.output.LayerNorm")
        w[p + "intermediate.dense.weight"] = mat(inter, h)
        w[p + "intermediate.dense.bias"] = mat(inter, std=0.1)
        w[p + "output.dense.weight"] = mat(h, inter)
        w[p + "output.dense.bias"] = mat(h, std=0.1)
        norm(p + "output.LayerNorm")
    w["pooler.dense.weight"] = mat(h, h)  # present in real checkpoints, unused
    w["pooler.dense.bias"] = mat(h, std=0.1)
    return w


def erf(x):
    # numpy has no erf; math.erf per element is plenty for a tiny model.
    import math
    return np.vectorize(math.erf)(x)


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def forward(weights, cfg, batch_ids, pooling):
    """HF BertModel on a padded batch with an attention mask, then pooling and L2 norm."""
    W = {k: v.astype(np.float64) for k, v in weights.items()}
    h, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    d, eps = h // heads, cfg["layer_norm_eps"]
    n = max(len(s) for s in batch_ids)
    ids = np.zeros((len(batch_ids), n), dtype=np.int64)  # [PAD] is id 0
    mask = np.zeros((len(batch_ids), n))
    for i, s in enumerate(batch_ids):
        ids[i, :len(s)] = s
        mask[i, :len(s)] = 1
    x = (W["embeddings.word_embeddings.weight"][ids] + W["embeddings.position_embeddings.weight"][:n][None]
         + W["embeddings.token_type_embeddings.weight"][0][None, None])
    x = layer_norm(x, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"], eps)
    additive = (1.0 - mask)[:, None, None, :] * np.finfo(np.float32).min
    for i in range(cfg["num_hidden_layers"]):
        p = "encoder.layer.%d." % i

        def lin(t, name):
            return t @ W[p + name + ".weight"].T + W[p + name + ".bias"]

        def split(t):
            return t.reshape(t.shape[0], n, heads, d).transpose(0, 2, 1, 3)

        q, k, v = (split(lin(x, "attention.self." + part)) for part in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d) + additive
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        probs = scores / scores.sum(-1, keepdims=True)
        ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(x.shape[0], n, h)
        a = layer_norm(lin(ctx, "attention.output.dense") + x, W[p + "attention.output.LayerNorm.weight"],
                       W[p + "attention.output.LayerNorm.bias"], eps)
        f = lin(a, "intermediate.dense")
        f = 0.5 * f * (1.0 + erf(f / np.sqrt(2.0)))
        x = layer_norm(lin(f, "output.dense") + a, W[p + "output.LayerNorm.weight"],
                       W[p + "output.LayerNorm.bias"], eps)
    if pooling == "cls":
        pooled = x[:, 0]
    else:
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


# ---------------------------------------------------------------- files

def to_f16_bits(a):
    return a.astype(np.float16).view(np.uint16)


def to_bf16_bits(a):
    # Round to nearest even on the upper 16 bits of the float32 pattern.
    u = a.astype(np.float32).view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return u.astype(np.uint16)


def write_safetensors(path, tensors):
    """tensors: name -> (dtype string, shape, raw little-endian bytes)."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        dtype, shape, raw = tensors[name]
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the format allows space padding; keeps data 8-aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def f32_tensors(weights, prefix=""):
    return {prefix + k: ("F32", v.shape, v.astype("<f4").tobytes()) for k, v in weights.items()}


def write_model(out, name, cfg, vocab, tensors, extra_files=None):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    with open(os.path.join(d, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    write_safetensors(os.path.join(d, "model.safetensors"), tensors)
    for rel, content in (extra_files or {}).items():
        p = os.path.join(d, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            json.dump(content, f, indent=2)


def cases(weights, cfg, vocab, lower, max_len, pooling, texts):
    ids_of = {t: i for i, t in enumerate(vocab)}
    ids = [encode(t, ids_of, lower, max_len) for t in texts]
    vecs = forward(weights, cfg, ids, pooling)
    return [{"text": t, "words": basic_tokenize(t, lower, lower), "ids": i, "vector": v.tolist()}
            for t, i, v in zip(texts, ids, vecs)]


def fuzz_strings(rng, count):
    # Code points from every plane that has assigned characters, weighted toward the ranges
    # real text uses, plus spaces so that strings hold several words.
    pools = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x52F), (0x590, 0x6FF), (0x900, 0xDFF),
             (0x1E00, 0x1FFF), (0x2000, 0x2BFF), (0x3000, 0x30FF), (0x3400, 0x9FFF), (0xAC00, 0xD7A3),
             (0xF900, 0xFFFF), (0x10000, 0x1FFFF), (0x20000, 0x2FFFF), (0xE0000, 0xE01EF)]
    out = []
    for _ in range(count):
        chars = []
        for _ in range(int(rng.integers(1, 24))):
            lo, hi = pools[int(rng.integers(0, len(pools)))]
            cp = int(rng.integers(lo, hi + 1))
            if 0xD800 <= cp <= 0xDFFF:
                cp = 0x20
            chars.append(chr(cp))
            if rng.random() < 0.2:
                chars.append(" ")
        out.append("".join(chars))
    return out


def char_digest_line(cp):
    """One code point as the C++ test serialises it: "cp class lower… |stripped…;" in hex."""
    ch = chr(cp)
    if ch in "\t\n\r" or unicodedata.category(ch) in ("Zs", "Zl", "Zp"):
        cls = 1
    elif is_control(ch):
        cls = 2
    elif is_punctuation(ch):
        cls = 3
    elif unicodedata.category(ch) == "Mn":
        cls = 4
    else:
        cls = 0
    lower = " ".join("%X" % ord(c) for c in ch.lower())
    strip = "".join(" %X" % ord(c) for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn")
    return "%X %d %s |%s;" % (cp, cls, lower, strip)


def unicode_digest(path):
    blocks = []
    for block in range(0x110000 // 4096):
        text = "".join(char_digest_line(cp) for cp in range(block * 4096, (block + 1) * 4096)
                       if not 0xD800 <= cp <= 0xDFFF)
        blocks.append("%08x" % zlib.crc32(text.encode()))
    with open(path, "w") as f:
        json.dump({"unidata_version": unicodedata.unidata_version, "blocks": blocks}, f)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--unicode-digest":
        unicode_digest(sys.argv[2])
        return
    if len(sys.argv) != 2:
        sys.exit("usage: make_tiny_bert.py OUT_DIR | --unicode-digest FILE")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20240611)
    vocab = build_vocab()
    cfg = {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": 32, "num_hidden_layers": 2,
           "num_attention_heads": 4, "intermediate_size": 64, "max_position_embeddings": 64,
           "vocab_size": len(vocab) + 3, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu",
           "position_embedding_type": "absolute", "hidden_dropout_prob": 0.1}
    weights = make_weights(rng, cfg)
    tensors = f32_tensors(weights)
    # Older checkpoints carry the position_ids buffer as int64; the loader must ignore it.
    tensors["embeddings.position_ids"] = ("I64", (1, 64), np.arange(64, dtype="<i8").tobytes())
    max_len = cfg["max_position_embeddings"]
    models = []

    write_model(out, "tiny-bert", cfg, vocab, tensors)
    models.append({"dir": "tiny-bert", "cases": cases(weights, cfg, vocab, True, max_len, "mean", SENTENCES)})

    write_model(out, "tiny-e5", cfg, vocab, tensors)  # same model; the name switches on e5 prefixes

    write_model(out, "tiny-bert-cased", cfg, vocab, tensors, {"tokenizer_config.json": {"do_lower_case": False}})
    models.append({"dir": "tiny-bert-cased",
                   "cases": cases(weights, cfg, vocab, False, max_len, "mean", SENTENCES)})

    # Half precision under "bert." names, old gamma/beta LayerNorm names for the embeddings;
    # the reference runs on the same rounded weights.
    half_w, half_t = {}, {}
    for i, (name, v) in enumerate(sorted(weights.items())):
        stored = name.replace("embeddings.LayerNorm.weight", "embeddings.LayerNorm.gamma").replace(
            "embeddings.LayerNorm.bias", "embeddings.LayerNorm.beta")
        if i % 2 == 0:
            bits = to_f16_bits(v)
            half_w[name] = bits.view(np.float16).astype(np.float32)
            half_t["bert." + stored] = ("F16", v.shape, bits.astype("<u2").tobytes())
        else:
            bits = to_bf16_bits(v)
            half_w[name] = (bits.astype(np.uint32) << 16).view(np.float32)
            half_t["bert." + stored] = ("BF16", v.shape, bits.astype("<u2").tobytes())
    write_model(out, "tiny-half", cfg, vocab, half_t)
    models.append({"dir": "tiny-half", "cases": cases(half_w, cfg, vocab, True, max_len, "mean", SENTENCES)})

    # CLS pooling and a 16-token cap, as a sentence-transformers folder declares them.
    write_model(out, "tiny-cls", cfg, vocab, tensors, {
        "sentence_bert_config.json": {"max_seq_length": 16, "do_lower_case": False},
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}],
        "1_Pooling/config.json": {"word_embedding_dimension": 32, "pooling_mode_cls_token": True,
                                  "pooling_mode_mean_tokens": False, "pooling_mode_max_tokens": False,
                                  "pooling_mode_mean_sqrt_len_tokens": False}})
    models.append({"dir": "tiny-cls", "cases": cases(weights, cfg, vocab, True, 16, "cls", SENTENCES)})

    fuzz = [{"text": t, "uncased": basic_tokenize(t, True, True), "cased": basic_tokenize(t, False, False)}
            for t in fuzz_strings(rng, 300)]
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"unidata_version": unicodedata.unidata_version, "models": models, "fuzz": fuzz}, f)


if __name__ == "__main__":
    main()
