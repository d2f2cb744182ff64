#!/usr/bin/env python3
"""Write hypercap's price sheet data/prices/api-2026-07-24.json from LiteLLM's catalog.

Usage: python3 scripts/make_price_sheet.py [LITELLM_JSON [OUT_JSON]]
Defaults: data/prices/litellm-model-prices-2026-07-24.json and
data/prices/api-2026-07-24.json (relative to the repository root).

LiteLLM values are USD per token; the sheet holds USD per 1M tokens, rounded to remove float
noise. A field LiteLLM does not give is left out (unknown, never 0). After writing, the script
compares the sheet with the table in docs/facts.md section 2 (copied below as
FACTS_TABLE) and lists every disagreement; LiteLLM's value is kept. Standard library only.
"""
import json
import os
import sys

DATE = "2026-07-24"
SOURCE = ("LiteLLM model_prices_and_context_window.json (BerriAI/litellm, MIT) as published on "
          "2026-07-24; copy in data/prices/litellm-model-prices-2026-07-24.json")

# (canonical name, LiteLLM key, aliases). Aliases: the dated ids, the LiteLLM-style
# provider-prefixed forms, and catalog keys of the same provider with the same rates.
MODELS = [
    ("claude-sonnet-4-5", "claude-sonnet-4-5",
     ["claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4-5",
      "anthropic/claude-sonnet-4-5-20250929"]),
    ("claude-sonnet-4", "claude-sonnet-4-20250514",
     ["claude-sonnet-4-20250514", "anthropic/claude-sonnet-4-20250514",
      "claude-4-sonnet-20250514", "anthropic/claude-4-sonnet-20250514"]),
    # LiteLLM no longer lists Claude 3.5 Sonnet under provider "anthropic". DGM called it on
    # Bedrock as bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0, whose on-demand rates
    # equal Anthropic's; the first-party ids are aliases of that entry.
    ("claude-3-5-sonnet", "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
     ["us.anthropic.claude-3-5-sonnet-20241022-v2:0",
      "bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0",
      "anthropic.claude-3-5-sonnet-20241022-v2:0",
      "bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0",
      "claude-3-5-sonnet-20241022", "anthropic/claude-3-5-sonnet-20241022"]),
    ("claude-opus-4-5", "claude-opus-4-5",
     ["claude-opus-4-5-20251101", "anthropic/claude-opus-4-5",
      "anthropic/claude-opus-4-5-20251101"]),
    ("claude-haiku-4-5", "claude-haiku-4-5",
     ["claude-haiku-4-5-20251001", "anthropic/claude-haiku-4-5",
      "anthropic/claude-haiku-4-5-20251001"]),
    ("gpt-4o", "gpt-4o",
     ["gpt-4o-2024-08-06", "gpt-4o-2024-11-20", "openai/gpt-4o", "openai/gpt-4o-2024-08-06",
      "openai/gpt-4o-2024-11-20"]),
    ("gpt-4o-mini", "gpt-4o-mini",
     ["gpt-4o-mini-2024-07-18", "openai/gpt-4o-mini", "openai/gpt-4o-mini-2024-07-18"]),
    ("o3-mini", "o3-mini",
     ["o3-mini-2025-01-31", "openai/o3-mini", "openai/o3-mini-2025-01-31"]),
    ("o4-mini", "o4-mini",
     ["o4-mini-2025-04-16", "openai/o4-mini", "openai/o4-mini-2025-04-16"]),
    ("gpt-4.1", "gpt-4.1",
     ["gpt-4.1-2025-04-14", "openai/gpt-4.1", "openai/gpt-4.1-2025-04-14"]),
    ("gpt-5", "gpt-5",
     ["gpt-5-2025-08-07", "openai/gpt-5", "openai/gpt-5-2025-08-07"]),
    ("gemini-2.5-pro", "gemini/gemini-2.5-pro",
     ["gemini/gemini-2.5-pro"]),
    ("llama-3.1-70b-instruct", "together_ai/meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo",
     ["together_ai/meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo",
      "meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo"]),
]

# sheet field <- LiteLLM field (USD per token), in output order
RATE_FIELDS = [
    ("input", "input_cost_per_token"),
    ("output", "output_cost_per_token"),
    ("cache_read", "cache_read_input_token_cost"),
    ("cache_write", "cache_creation_input_token_cost"),
    ("cache_write_1h", "cache_creation_input_token_cost_above_1hr"),
    ("input_above_200k", "input_cost_per_token_above_200k_tokens"),
    ("output_above_200k", "output_cost_per_token_above_200k_tokens"),
    ("cache_read_above_200k", "cache_read_input_token_cost_above_200k_tokens"),
    ("cache_write_above_200k", "cache_creation_input_token_cost_above_200k_tokens"),
    ("cache_write_1h_above_200k", "cache_creation_input_token_cost_above_1hr_above_200k_tokens"),
    ("batch_input", "input_cost_per_token_batches"),
    ("batch_output", "output_cost_per_token_batches"),
    ("flex_input", "input_cost_per_token_flex"),
    ("flex_output", "output_cost_per_token_flex"),
    ("flex_cache_read", "cache_read_input_token_cost_flex"),
    ("priority_input", "input_cost_per_token_priority"),
    ("priority_output", "output_cost_per_token_priority"),
    ("priority_cache_read", "cache_read_input_token_cost_priority"),
    ("priority_input_above_200k", "input_cost_per_token_above_200k_tokens_priority"),
    ("priority_output_above_200k", "output_cost_per_token_above_200k_tokens_priority"),
    ("reasoning_output", "output_cost_per_reasoning_token"),
    ("flex_cache_write", "cache_creation_input_token_cost_flex"),
    ("priority_cache_write", "cache_creation_input_token_cost_priority"),
    ("priority_cache_read_above_200k",
     "cache_read_input_token_cost_above_200k_tokens_priority"),
    ("priority_input_above_272k", "input_cost_per_token_above_272k_tokens_priority"),
    ("priority_output_above_272k", "output_cost_per_token_above_272k_tokens_priority"),
    ("priority_cache_read_above_272k",
     "cache_read_input_token_cost_above_272k_tokens_priority"),
] + [  # the other long-context tiers (model/prices.c reads every one)
    (f"{k}_above_{n}k", f"{src}_above_{n}k_tokens")
    for n in (128, 256, 272, 512)
    for k, src in (("input", "input_cost_per_token"), ("output", "output_cost_per_token"),
                   ("cache_read", "cache_read_input_token_cost"),
                   ("cache_write", "cache_creation_input_token_cost"),
                   ("cache_write_1h", "cache_creation_input_token_cost_above_1hr"))
]
LIMIT_FIELDS = [("max_input_tokens", "max_input_tokens"), ("max_output_tokens", "max_output_tokens")]

# docs/facts.md section 2, USD per 1M tokens ("50% off" written out as rates).
FACTS_TABLE = {
    "claude-sonnet-4-5": {"input": 3.0, "output": 15.0, "cache_read": 0.3, "cache_write": 3.75,
                          "cache_write_1h": 6.0, "batch_input": 1.5, "batch_output": 7.5,
                          "input_above_200k": 6.0, "output_above_200k": 22.5,
                          "cache_read_above_200k": 0.6, "cache_write_above_200k": 7.5,
                          "cache_write_1h_above_200k": 12.0},
    "claude-sonnet-4": {"input": 3.0, "output": 15.0, "cache_read": 0.3, "cache_write": 3.75,
                        "cache_write_1h": 6.0, "batch_input": 1.5, "batch_output": 7.5},
    "claude-3-5-sonnet": {"input": 3.0, "output": 15.0, "cache_read": 0.3, "cache_write": 3.75,
                          "batch_input": 1.5, "batch_output": 7.5},
    "claude-opus-4-5": {"input": 5.0, "output": 25.0, "cache_read": 0.5, "cache_write": 6.25,
                        "cache_write_1h": 10.0, "batch_input": 2.5, "batch_output": 12.5},
    "claude-haiku-4-5": {"input": 1.0, "output": 5.0, "cache_read": 0.1, "cache_write": 1.25,
                         "cache_write_1h": 2.0, "batch_input": 0.5, "batch_output": 2.5},
    "gpt-4o": {"input": 2.5, "output": 10.0, "cache_read": 1.25, "batch_input": 1.25,
               "batch_output": 5.0},
    "gpt-4o-mini": {"input": 0.15, "output": 0.6, "cache_read": 0.075, "batch_input": 0.075,
                    "batch_output": 0.3},
    "o3-mini": {"input": 1.1, "output": 4.4, "cache_read": 0.55, "batch_input": 0.55,
                "batch_output": 2.2},
    "o4-mini": {"input": 1.1, "output": 4.4, "cache_read": 0.275, "flex_input": 0.55,
                "flex_output": 2.2},
    "gpt-4.1": {"input": 2.0, "output": 8.0, "cache_read": 0.5, "batch_input": 1.0,
                "batch_output": 4.0},
    "gpt-5": {"input": 1.25, "output": 10.0, "cache_read": 0.125, "flex_input": 0.625,
              "flex_output": 5.0},
    "gemini-2.5-pro": {"input": 1.25, "output": 10.0, "cache_read": 0.125},
    "llama-3.1-70b-instruct": {"input": 0.88, "output": 0.88},
}


def per_million(x):
    """USD per token -> USD per 1M tokens without float noise (3e-06 -> 3.0)."""
    v = round(x * 1e6, 9)
    return float(f"{v:.10g}")


def build(catalog):
    models = []
    for name, key, aliases in MODELS:
        e = catalog.get(key)
        if not isinstance(e, dict):
            raise SystemExit(f"{key}: not in the catalog")
        m = {"name": name, "provider": e["litellm_provider"], "litellm_key": key,
             "aliases": aliases}
        for field, src in RATE_FIELDS:
            if e.get(src) is not None:
                m[field] = per_million(e[src])
        for field, src in LIMIT_FIELDS:
            if e.get(src) is not None:
                m[field] = int(e[src])
        if "input" not in m or "output" not in m:
            raise SystemExit(f"{name}: LiteLLM gives no input or output rate")
        unmapped = [f for f in e if "cost" in f and e[f] is not None
                    and f not in {s for _, s in RATE_FIELDS}
                    and f != "search_context_cost_per_query"]
        if unmapped:
            print(f"note: {name} ({key}): LiteLLM fields not carried: {unmapped}")
        # aliases that are catalog keys must carry the same base rates
        for a in aliases:
            ae = catalog.get(a)
            if isinstance(ae, dict):
                for _, src in RATE_FIELDS[:4]:
                    if ae.get(src) != e.get(src):
                        print(f"warning: {name}: alias {a} has {src}={ae.get(src)} "
                              f"vs {e.get(src)}")
        models.append(m)
    return models


GROUPS = [  # one output line each
    ["input", "output", "cache_read", "cache_write", "cache_write_1h"],
    [k for k, _ in RATE_FIELDS if "above_200k" in k and not k.startswith("priority")],
    [k for k, _ in RATE_FIELDS if "_above_" in k and "above_200k" not in k
     and not k.startswith("priority")],
    ["batch_input", "batch_output", "flex_input", "flex_output", "flex_cache_read",
     "flex_cache_write"],
    [k for k, _ in RATE_FIELDS if k.startswith("priority")],
    ["reasoning_output"] + [k for k, _ in LIMIT_FIELDS],
]


def check_names(models):
    """Names and aliases unique (case-insensitive), as hypercap's loader requires."""
    seen = {}
    for m in models:
        for n in [m["name"]] + m["aliases"]:
            prev = seen.setdefault(n.lower(), m["name"])
            if prev != m["name"]:
                raise SystemExit(f"'{n}' names both {prev} and {m['name']}")
        if len(m["provider"]) > 31 or len(m["name"]) > 95:
            raise SystemExit(f"{m['name']}: provider or name too long")


def render(models):
    """The sheet as JSON, one model per few lines (valid JSON; stable order)."""
    out = ['{', '  "hypercap_prices": 1,', f'  "date": {json.dumps(DATE)},',
           f'  "source": {json.dumps(SOURCE)},', '  "currency": "USD",', '  "models": [']
    for i, m in enumerate(models):
        head = ", ".join(f"{json.dumps(k)}: {json.dumps(m[k])}"
                         for k in ("name", "provider", "litellm_key"))
        lines = [f"    {{ {head},", f'      "aliases": {json.dumps(m["aliases"])},']
        for group in GROUPS:
            items = [f"{json.dumps(k)}: {json.dumps(m[k])}" for k in group if k in m]
            if items:
                lines.append("      " + ", ".join(items) + ",")
        lines[-1] = lines[-1][:-1] + " }" + ("," if i + 1 < len(models) else "")
        out.extend(lines)
    out += ["  ]", "}"]
    return "\n".join(out) + "\n"


def cross_check(models):
    n = 0
    for m in models:
        for field, want in FACTS_TABLE.get(m["name"], {}).items():
            got = m.get(field)
            if got is None:
                print(f"  {m['name']}: {field}: FACTS {want}, LiteLLM has no value (left out)")
                n += 1
            elif abs(got - want) > 1e-9:
                print(f"  {m['name']}: {field}: FACTS {want}, LiteLLM {got} (kept LiteLLM's)")
                n += 1
    print(f"  {n} disagreement(s)")


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        root, "data", "prices", "litellm-model-prices-2026-07-24.json")
    dst = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        root, "data", "prices", "api-2026-07-24.json")
    catalog = json.load(open(src, encoding="utf-8"))
    models = build(catalog)
    check_names(models)
    text = render(models)
    json.loads(text)  # the rendering is valid JSON
    with open(dst, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {dst}: {len(models)} models")
    print("cross-check against FACTS.md section 2:")
    cross_check(models)


if __name__ == "__main__":
    main()
