/*
 * The plain-text hot loop of LineCounter (src/logs/counter.ts) for WebAssembly SIMD.
 *
 * Input: bytes [begin, end) of linear memory holding whole lines, followed by a '\n'
 * written at `end` by the caller (a sentinel, so the newline search needs no bounds check)
 * and 16 bytes the loads may read. For each line (split on '\n', one '\r' before it
 * dropped) the kernel counts the line, then either
 *  - hands it to JavaScript (appends its start and end to `specials`) when one of the
 *    rules for JSON, syslog or logfmt might apply: its first non-blank byte is '{', its
 *    first byte is '<', or it contains "level=" or "lvl=" (JavaScript makes the exact
 *    check), or
 *  - counts the level of its first whole-word level token, exactly as findToken and
 *    caseAllowed in src/logs/tokens.ts do, or the line as unmatched.
 * A line that starts with blanks and holds none of the above takes the token rule in
 * JavaScript too (classify: not '{', not '<PRI>', no logfmt key), so it stays here.
 *
 * Built by scripts/build-wasm.sh; src/logs/wasm/kernel-wasm.ts holds the result.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

/* Room for level indexes (LEVEL_SLOTS in tokens.ts). */
#define MAX_LEVELS 64
/* Word table slots (a power of two); the JavaScript side keeps it under half full. */
#define TABLE_SLOTS 4096
/* Special lines per call; when full, the call stops early and says where. */
#define MAX_SPECIALS 32768

/* Byte classes as BYTE_CLASS in tokens.ts: 1 an ASCII letter, 2 another word byte
 * (digit, '_', any byte >= 0x80), 0 a boundary. Filled by configure(). */
static uint8_t byte_class[256];

/* Results of the last call: counts per level, then the lines counted here (specials not
 * included), unmatched lines among them, and the number of specials. */
static uint32_t counts[MAX_LEVELS + 3];
#define LINES (MAX_LEVELS)
#define UNMATCHED (MAX_LEVELS + 1)
#define SPECIALS (MAX_LEVELS + 2)
static uint32_t specials[2 * MAX_SPECIALS];

/* The word table: packed upper-case word (as packWord makes it) -> level index + 1. */
static uint64_t table_keys[TABLE_SLOTS];
static uint8_t table_levels[TABLE_SLOTS];
static uint32_t table_mask = TABLE_SLOTS - 1;
static uint32_t max_length;
static uint32_t case_sensitive;

extern unsigned char __heap_base;

EXPORT("data_base") uint32_t data_base(void) {
  return ((uint32_t)(uintptr_t)&__heap_base + 15u) & ~15u;
}
EXPORT("counts") uint32_t *get_counts(void) { return counts; }
EXPORT("specials") uint32_t *get_specials(void) { return specials; }
EXPORT("max_specials") uint32_t get_max_specials(void) { return MAX_SPECIALS; }

static inline uint32_t slot_of(uint64_t key) {
  return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 40) & table_mask;
}

/* Empties the word table and sets the rules; `slots` is a power of two <= TABLE_SLOTS. */
EXPORT("configure") uint32_t configure(uint32_t slots, uint32_t max_len, uint32_t exact_case) {
  if (slots == 0 || slots > TABLE_SLOTS || (slots & (slots - 1)) != 0) return 0;
  for (uint32_t b = 0; b < 256; b++) {
    uint32_t letter = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
    uint32_t word = (b >= '0' && b <= '9') || b == '_' || b >= 0x80;
    byte_class[b] = letter ? 1 : word ? 2 : 0;
  }
  for (uint32_t i = 0; i < TABLE_SLOTS; i++) {
    table_keys[i] = 0;
    table_levels[i] = 0;
  }
  table_mask = slots - 1;
  max_length = max_len;
  case_sensitive = exact_case;
  return 1;
}

/* Adds a word (its packed form, never 0) with its level; returns 0 when the table is full. */
EXPORT("add_word") uint32_t add_word(uint64_t key, uint32_t level) {
  if (key == 0 || level >= MAX_LEVELS) return 0;
  uint32_t slot = slot_of(key);
  for (uint32_t probe = 0; probe <= table_mask; probe++) {
    if (table_keys[slot] == 0 || table_keys[slot] == key) {
      table_keys[slot] = key;
      table_levels[slot] = (uint8_t)(level + 1);
      return 1;
    }
    slot = (slot + 1) & table_mask;
  }
  return 0;
}

/* Level index + 1 of the packed word, or 0. Probing ends at an empty slot: the table is
 * never full. */
static inline uint32_t lookup(uint64_t key) {
  uint32_t slot = slot_of(key);
  for (uint32_t probe = 0; probe <= table_mask; probe++) {
    uint64_t found = table_keys[slot];
    if (found == key) return table_levels[slot];
    if (found == 0) return 0;
    slot = (slot + 1) & table_mask;
  }
  return 0;
}

/* The level (index + 1) of the all-letter word [i, j), or 0: packWord, the table, caseAllowed. */
static uint32_t word_level(const uint8_t *i, const uint8_t *j) {
  uint32_t length = (uint32_t)(j - i);
  uint64_t key = length;
  uint32_t upper = 0;
  for (const uint8_t *p = i; p < j; p++) {
    key = key * 32 + (uint64_t)((*p & 0xdf) - 0x40);
    upper += *p < 0x61;
  }
  /* packWord computes in doubles: a 10-letter word exceeds 2^53 and rounds. Round the same
   * way, so the lookup answers exactly as the JavaScript Map does. */
  if (length == 10) key = (uint64_t)(double)key;
  uint32_t level = lookup(key);
  if (level == 0) return 0;
  if (upper == length) return level;
  if (case_sensitive) return 0;
  return upper == 0 || (upper == 1 && *i < 0x61) ? level : 0;
}

/* findToken: the first whole-word level token of [p, end), as level index + 1, or 0. */
static uint32_t first_token(const uint8_t *p, const uint8_t *end) {
  while (p < end) {
    uint32_t cls = byte_class[*p];
    if (cls == 0) {
      p++;
      continue;
    }
    const uint8_t *q = p + 1;
    uint32_t seen = cls;
    for (; q < end; q++) {
      uint32_t next = byte_class[*q];
      if (next == 0) break;
      seen |= next;
    }
    if (seen == 1 && (uint32_t)(q - p) <= max_length) {
      uint32_t level = word_level(p, q);
      if (level != 0) return level;
    }
    p = q;
  }
  return 0;
}

/* Whether the '=' at `eq` ends "level" or "lvl" that starts at or after `start`. */
static inline uint32_t is_level_key(const uint8_t *start, const uint8_t *eq) {
  if (eq - start >= 3 && eq[-3] == 'l' && eq[-2] == 'v' && eq[-1] == 'l') return 1;
  return eq - start >= 5 && eq[-5] == 'l' && eq[-4] == 'e' && eq[-3] == 'v' && eq[-2] == 'e' &&
         eq[-1] == 'l';
}

/*
 * Counts the lines of [begin, end); memory[end] must be '\n' and 16 bytes after it
 * readable. Without `final` an unfinished last line is left alone. Returns where counting
 * stopped: `end`, the start of the unfinished line, or (when `specials` filled up) the
 * start of the first line not looked at. Results are in counts().
 */
EXPORT("count") uint32_t count(uint32_t begin, uint32_t end, uint32_t final) {
  for (uint32_t i = 0; i < MAX_LEVELS + 3; i++) counts[i] = 0;
  const uint8_t *p = (const uint8_t *)(uintptr_t)begin;
  const uint8_t *stop = (const uint8_t *)(uintptr_t)end;
  const v128_t newline = wasm_i8x16_splat('\n');
  const v128_t equals = wasm_i8x16_splat('=');
  uint32_t lines = 0, unmatched = 0, nspecial = 0;
  while (p < stop) {
    if (nspecial == MAX_SPECIALS) break;
    /* The line's newline, 16 bytes at a time, noting any '=' before it. */
    const uint8_t *q = p;
    uint32_t logfmt = 0;
    for (;;) {
      v128_t block = wasm_v128_load(q);
      uint32_t nl = wasm_i8x16_bitmask(wasm_i8x16_eq(block, newline));
      uint32_t eq = wasm_i8x16_bitmask(wasm_i8x16_eq(block, equals));
      if (nl != 0) {
        uint32_t at = (uint32_t)__builtin_ctz(nl);
        eq &= (1u << at) - 1;
        for (; eq != 0 && !logfmt; eq &= eq - 1) logfmt = is_level_key(p, q + __builtin_ctz(eq));
        q += at;
        break;
      }
      for (; eq != 0 && !logfmt; eq &= eq - 1) logfmt = is_level_key(p, q + __builtin_ctz(eq));
      q += 16;
    }
    if (q == stop && !final) break;
    const uint8_t *line_end = q > p && q[-1] == '\r' ? q - 1 : q;
    uint8_t first = *p;
    uint32_t special = logfmt || first == '{' || first == '<';
    if (!special && (first == ' ' || first == '\t')) {
      const uint8_t *r = p;
      while (r < line_end && (*r == ' ' || *r == '\t')) r++;
      special = r < line_end && *r == '{';
    }
    if (special) {
      specials[2 * nspecial] = (uint32_t)(uintptr_t)p;
      specials[2 * nspecial + 1] = (uint32_t)(uintptr_t)line_end;
      nspecial++;
    } else {
      lines++;
      uint32_t level = first_token(p, line_end);
      if (level != 0)
        counts[level - 1]++;
      else
        unmatched++;
    }
    p = q + 1;
  }
  counts[LINES] = lines;
  counts[UNMATCHED] = unmatched;
  counts[SPECIALS] = nspecial;
  if (p > stop) p = stop;
  return (uint32_t)(uintptr_t)p;
}
