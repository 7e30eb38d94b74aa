/*
 * The plain-text hot loop of LineCounter (src/logs/counter.ts) for WebAssembly SIMD.
 *
 * Input: bytes [begin, end) of linear memory holding whole lines, followed by a '\n' the
 * caller writes at `end` (a sentinel, so the newline search needs no bounds check) and 64
 * more bytes the loads may read. Lines end at '\n'; one '\r' before it is dropped. Each
 * line is either counted here, by the rules of classify.ts that apply to text lines:
 *  - logfmt: the first "level=" or "lvl=" whose 'l' starts the line or follows a space
 *    gives the value (quoted, or up to the next space) and the value, in any case, is a
 *    level word (wordLevel);
 *  - otherwise the first whole-word level token (findToken and caseAllowed in tokens.ts):
 *    a maximal run of word bytes (ASCII letters, digits, '_', bytes >= 0x80) that is all
 *    letters, a level word, in an allowed case;
 * or handed to JavaScript (its start and end appended to `specials`): lines whose first
 * non-blank byte is '{' (JSON), whose first byte is '<' (syslog), and logfmt lines whose
 * value is not a level word (JavaScript records the unrecognized value).
 *
 * Built by scripts/build-wasm.sh; src/logs/wasm/kernel-wasm.ts holds the result.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

/* Room for level indexes (LEVEL_SLOTS in tokens.ts). */
#define MAX_LEVELS 64
/* Word table slots (a power of two); the JavaScript side keeps it at most a quarter full. */
#define TABLE_SLOTS 4096
/* Special lines per call; when full, the call stops early and says where. */
#define MAX_SPECIALS 32768
/* packWord packs at most 10 letters. */
#define MAX_WORD 10

/* Results of the last call: counts per level, then the lines counted here (specials not
 * included), unmatched lines among them, and the number of specials. */
static uint32_t counts[MAX_LEVELS + 3];
#define LINES (MAX_LEVELS)
#define UNMATCHED (MAX_LEVELS + 1)
#define SPECIALS (MAX_LEVELS + 2)
static uint32_t specials[2 * MAX_SPECIALS];

/* The word table: packed word (as packWord makes it) -> level index + 1. */
static uint64_t table_keys[TABLE_SLOTS];
static uint8_t table_levels[TABLE_SLOTS];
static uint32_t table_mask = TABLE_SLOTS - 1;
/* Bit n of shapes[c & 31] is set when a word of n letters starting with letter c exists:
 * a cheap test that rejects most runs before they are packed. */
static uint32_t shapes[32];
static uint32_t max_length;
static uint32_t case_sensitive;

extern unsigned char __heap_base;

EXPORT("data_base") uint32_t data_base(void) {
  return ((uint32_t)(uintptr_t)&__heap_base + 15u) & ~15u;
}
EXPORT("counts") uint32_t *get_counts(void) { return counts; }
EXPORT("specials") uint32_t *get_specials(void) { return specials; }

static inline uint32_t slot_of(uint64_t key) {
  return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 40) & table_mask;
}

/* Empties the word table and sets the rules; `slots` is a power of two <= TABLE_SLOTS. */
EXPORT("configure") uint32_t configure(uint32_t slots, uint32_t max_len, uint32_t exact_case) {
  if (slots == 0 || slots > TABLE_SLOTS || (slots & (slots - 1)) != 0 || max_len > MAX_WORD) return 0;
  for (uint32_t i = 0; i < TABLE_SLOTS; i++) {
    table_keys[i] = 0;
    table_levels[i] = 0;
  }
  for (uint32_t i = 0; i < 32; i++) shapes[i] = 0;
  table_mask = slots - 1;
  max_length = max_len;
  case_sensitive = exact_case;
  return 1;
}

/* Adds a word, packed as packWord does (length * 32^length + letters, 5 bits each, A = 1),
 * with its level; returns 0 for a key that is no packed word or a full table. */
EXPORT("add_word") uint32_t add_word(uint64_t key, uint32_t level) {
  if (level >= MAX_LEVELS) return 0;
  uint32_t length = 1;
  while (length <= MAX_WORD && key >> (5 * length) != length) length++;
  if (length > MAX_WORD) return 0;
  uint32_t first = (uint32_t)(key >> (5 * (length - 1))) & 31;
  uint32_t slot = slot_of(key);
  for (uint32_t probe = 0; probe <= table_mask; probe++) {
    if (table_keys[slot] == 0 || table_keys[slot] == key) {
      table_keys[slot] = key;
      table_levels[slot] = (uint8_t)(level + 1);
      shapes[first] |= 1u << length;
      return 1;
    }
    slot = (slot + 1) & table_mask;
  }
  return 0;
}

/* packWord and the Map lookup: the level (index + 1) of the letters [p, p + length), or 0. */
static uint32_t lookup(const uint8_t *p, uint32_t length) {
  uint64_t key = length;
  for (uint32_t k = 0; k < length; k++) key = key * 32 + (uint64_t)((p[k] & 0xdf) - 0x40);
  /* packWord computes in doubles, and a 10-letter word passes 2^53 and rounds: round the
   * same way, so the answer is the JavaScript Map's. */
  if (length == 10) key = (uint64_t)(double)key;
  uint32_t slot = slot_of(key);
  /* Probing ends at an empty slot: the table is never full. */
  for (uint32_t probe = 0; probe <= table_mask; probe++) {
    uint64_t found = table_keys[slot];
    if (found == key) return table_levels[slot];
    if (found == 0) return 0;
    slot = (slot + 1) & table_mask;
  }
  return 0;
}

/* caseAllowed: UPPER always; lower and Title too unless case-sensitive. */
static inline uint32_t case_allowed(const uint8_t *p, uint32_t length) {
  uint32_t upper = 0;
  for (uint32_t k = 0; k < length; k++) upper += p[k] < 0x61;
  if (upper == length) return 1;
  if (case_sensitive) return 0;
  return upper == 0 || (upper == 1 && p[0] < 0x61);
}

/* Word bytes (bit set) and ASCII letters among them, for the 64 bytes at p. */
static inline uint64_t classify64(const uint8_t *p, uint64_t *letters) {
  const v128_t case_bit = wasm_i8x16_splat(0x20);
  const v128_t a = wasm_i8x16_splat('a');
  const v128_t zero = wasm_i8x16_splat('0');
  const v128_t underscore = wasm_i8x16_splat('_');
  const v128_t n26 = wasm_i8x16_splat(26);
  const v128_t n10 = wasm_i8x16_splat(10);
  uint64_t word = 0, letter = 0;
  for (uint32_t k = 0; k < 4; k++) {
    v128_t b = wasm_v128_load(p + 16 * k);
    v128_t is_letter = wasm_u8x16_lt(wasm_i8x16_sub(wasm_v128_or(b, case_bit), a), n26);
    v128_t is_digit = wasm_u8x16_lt(wasm_i8x16_sub(b, zero), n10);
    /* bytes >= 0x80 are negative as signed */
    v128_t other = wasm_v128_or(wasm_v128_or(is_digit, wasm_i8x16_eq(b, underscore)),
                                wasm_i8x16_lt(b, wasm_i8x16_splat(0)));
    word |= (uint64_t)wasm_i8x16_bitmask(wasm_v128_or(is_letter, other)) << (16 * k);
    letter |= (uint64_t)wasm_i8x16_bitmask(is_letter) << (16 * k);
  }
  *letters = letter;
  return word;
}

/* findToken: the level (index + 1) of the first whole-word level token of [p, end), or 0.
 * 64 bytes at a time: runs of word bytes are found with bit operations, and only runs of
 * letters whose first letter and length some level word has are looked up. */
static uint32_t first_token(const uint8_t *p, const uint8_t *end) {
  const uint8_t *base = p;
  uint64_t in_run = 0; /* 1 when the byte before `base` belongs to the run going on */
  while (base < end) {
    uint64_t letters;
    uint64_t word = classify64(base, &letters);
    uint32_t left = (uint32_t)(end - base);
    if (left < 64) word &= ((uint64_t)1 << left) - 1;
    uint64_t nonletters = word & ~letters;
    uint64_t candidates = word & ~((word << 1) | in_run) & letters;
    const uint8_t *next = base + 64;
    in_run = word >> 63;
    while (candidates != 0) {
      uint32_t i = (uint32_t)__builtin_ctzll(candidates);
      candidates &= candidates - 1;
      uint64_t rest = ~word >> i;
      if (rest == 0) {
        /* The run goes on past this window: look at it again from its start, unless it
         * is already longer than any word. */
        if (64 - i <= MAX_WORD) {
          next = base + i;
          in_run = 0;
        }
        break;
      }
      uint32_t length = (uint32_t)__builtin_ctzll(rest);
      if (length > max_length || ((nonletters >> i) & (((uint64_t)1 << length) - 1)) != 0) continue;
      const uint8_t *at = base + i;
      if (!((shapes[*at & 31] >> length) & 1)) continue;
      uint32_t level = lookup(at, length);
      if (level != 0 && case_allowed(at, length)) return level;
    }
    base = next;
  }
  return 0;
}

/* Whether the '=' at `eq` ends a logfmt level key: "level" or "lvl" whose 'l' is the first
 * byte of the line or follows a space (logfmtLevel in classify.ts). */
static inline uint32_t logfmt_key(const uint8_t *line, const uint8_t *eq) {
  if (eq - line >= 3 && eq[-3] == 'l' && eq[-2] == 'v' && eq[-1] == 'l' &&
      (eq - 3 == line || eq[-4] == ' '))
    return 1;
  return eq - line >= 5 && eq[-5] == 'l' && eq[-4] == 'e' && eq[-3] == 'v' && eq[-2] == 'e' &&
         eq[-1] == 'l' && (eq - 5 == line || eq[-6] == ' ');
}

/* The level (index + 1) of the logfmt value after the '=' at `eq`, or 0 when it is no
 * level word (then JavaScript records the value as unrecognized). */
static uint32_t logfmt_level(const uint8_t *eq, const uint8_t *end) {
  const uint8_t *from = eq + 1, *to;
  if (from < end && *from == '"') {
    from++;
    to = from;
    while (to < end && *to != '"') to++;
  } else {
    to = from;
    while (to < end && *to != ' ') to++;
  }
  uint32_t length = (uint32_t)(to - from);
  if (length == 0 || length > MAX_WORD) return 0;
  for (const uint8_t *q = from; q < to; q++)
    if ((uint8_t)((*q | 0x20) - 'a') >= 26) return 0;
  return lookup(from, length);
}

/*
 * Counts the lines of [begin, end); memory[end] must be '\n' and the 64 bytes after it
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
  while (p < stop && nspecial < MAX_SPECIALS) {
    /* The line's newline, 16 bytes at a time, noting the first logfmt key before it. */
    const uint8_t *q = p;
    const uint8_t *key = 0;
    for (;;) {
      v128_t block = wasm_v128_load(q);
      uint32_t nl = wasm_i8x16_bitmask(wasm_i8x16_eq(block, newline));
      uint32_t eq = wasm_i8x16_bitmask(wasm_i8x16_eq(block, equals));
      if (nl != 0) {
        uint32_t at = (uint32_t)__builtin_ctz(nl);
        eq &= (1u << at) - 1;
        for (; eq != 0 && key == 0; eq &= eq - 1)
          if (logfmt_key(p, q + __builtin_ctz(eq))) key = q + __builtin_ctz(eq);
        q += at;
        break;
      }
      for (; eq != 0 && key == 0; eq &= eq - 1)
        if (logfmt_key(p, q + __builtin_ctz(eq))) key = q + __builtin_ctz(eq);
      q += 16;
    }
    if (q == stop && !final) break;
    const uint8_t *line_end = q > p && q[-1] == '\r' ? q - 1 : q;
    uint8_t first = *p;
    uint32_t special = first == '{' || first == '<';
    if (!special && (first == ' ' || first == '\t')) {
      const uint8_t *r = p;
      while (r < line_end && (*r == ' ' || *r == '\t')) r++;
      special = r < line_end && *r == '{';
    }
    uint32_t level = 0;
    if (!special) {
      level = key != 0 ? logfmt_level(key, line_end) : first_token(p, line_end);
      special = key != 0 && level == 0;
    }
    if (special) {
      specials[2 * nspecial] = (uint32_t)(uintptr_t)p;
      specials[2 * nspecial + 1] = (uint32_t)(uintptr_t)line_end;
      nspecial++;
    } else {
      lines++;
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
