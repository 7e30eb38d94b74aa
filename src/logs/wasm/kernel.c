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
 *  - syslog: a line starting with "<PRI>" (syslogPriority) takes syslog[PRI % 8];
 *  - JSON: a line whose first non-blank byte is '{' and that is one valid JSON object
 *    (readJsonFields in json-line.ts, byte for byte) takes its level as jsonLevel does,
 *    Docker's {"log": "...", "stream": ...} wrapper unwrapped into a scratch buffer;
 * or handed to JavaScript (its start and end appended to `specials`) whenever the answer
 * is not one of the fast cases: a level value that names no level (JavaScript records the
 * unrecognized value), a JSON value that is not a short word or integer, and the like.
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
/* Numeric JSON levels looked up here: 0 .. NUMERIC_SLOTS - 1. */
#define NUMERIC_SLOTS 128
/* The unescaped Docker "log" string; a longer one goes to JavaScript. */
#define SCRATCH 65536

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

/* Level index + 1 of a numeric JSON level (the chosen convention) and of a syslog severity
 * (0 .. 7), 0 when the table has none; and of Serilog's "@t" without "@l" (INFO). */
static uint8_t numeric_levels[NUMERIC_SLOTS];
static uint8_t syslog_levels[8];
static uint32_t info_level;
/* The Docker wrapper's unescaped line, with room for the SIMD loads past its end. */
static uint8_t scratch[SCRATCH + 80];

extern unsigned char __heap_base;

EXPORT("data_base") uint32_t data_base(void) {
  return ((uint32_t)(uintptr_t)&__heap_base + 15u) & ~15u;
}
EXPORT("counts") uint32_t *get_counts(void) { return counts; }
EXPORT("specials") uint32_t *get_specials(void) { return specials; }
EXPORT("numeric_levels") uint8_t *get_numeric_levels(void) { return numeric_levels; }
EXPORT("syslog_levels") uint8_t *get_syslog_levels(void) { return syslog_levels; }
EXPORT("set_info_level") void set_info_level(uint32_t level) { info_level = level; }

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

/* ---- Syslog, logfmt and JSON lines (classify.ts and json-line.ts, byte for byte) ---- */

/* Results of the line classifiers below: a level index + 1 (>= 1), no level, or "ask
 * JavaScript"; NOT_JSON sends a '{' line that is no JSON object on to the text rules. */
#define NO_LEVEL 0
#define PUNT (-1)
#define NOT_JSON (-2)

/* syslogPriority: the N of a "<N>" prefix (1 to 3 digits, at most 191), or -1. */
static int32_t syslog_priority(const uint8_t *p, const uint8_t *end) {
  const uint8_t *q = p + 1;
  int32_t value = 0;
  while (q < end && q - p <= 3 && (uint8_t)(*q - '0') < 10) value = value * 10 + (*q++ - '0');
  if (q == p + 1 || *q != '>' || value > 191) return -1;
  return value;
}

/* The first logfmt level key of [p, end), as the newline scan of count() finds it. */
static const uint8_t *find_logfmt_key(const uint8_t *p, const uint8_t *end) {
  for (const uint8_t *q = p; q < end; q++)
    if (*q == '=' && logfmt_key(p, q)) return q;
  return 0;
}

/* textLevel: syslog <PRI>, then logfmt, then the first level token; `key` is the line's
 * first logfmt key or 0. */
static int32_t text_level(const uint8_t *p, const uint8_t *end, const uint8_t *key) {
  if (p < end && *p == '<') {
    int32_t pri = syslog_priority(p, end);
    if (pri != -1) return syslog_levels[pri % 8];
  }
  if (key != 0) {
    uint32_t level = logfmt_level(key, end);
    return level != 0 ? (int32_t)level : PUNT;
  }
  return (int32_t)first_token(p, end);
}

/* The JSON fields that carry a level (the order jsonLevel reads them in), then Docker's. */
enum { K_LEVEL, K_LVL, K_SEVERITY, K_LOG_LEVEL, K_AT_L, K_LEVELNAME, K_SEVERITY_TEXT, K_PRIORITY,
       K_LOG, K_STREAM, K_AT_T, N_KEYS };

struct fields {
  const uint8_t *start[N_KEYS], *end[N_KEYS];
  const uint8_t *nested_start, *nested_end;
};

#define MAX_DEPTH 256

static inline const uint8_t *skip_ws(const uint8_t *p, const uint8_t *end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  return p;
}

static inline uint32_t is_hex(uint8_t c) {
  return (uint8_t)(c - '0') < 10 || (uint8_t)((c | 0x20) - 'a') < 6;
}

/* skipString: p at the opening quote; the position after the closing one, or 0. The bytes
 * up to a quote, backslash or control byte are skipped 16 at a time; the byte at `end` of
 * every line is a control byte ('\r' or '\n'), so the search never runs past the line. */
static const uint8_t *skip_string(const uint8_t *p, const uint8_t *end) {
  const v128_t quote = wasm_i8x16_splat('"');
  const v128_t backslash = wasm_i8x16_splat('\\');
  const v128_t space = wasm_i8x16_splat(0x20);
  p++;
  for (;;) {
    v128_t b = wasm_v128_load(p);
    v128_t stop = wasm_v128_or(wasm_v128_or(wasm_i8x16_eq(b, quote), wasm_i8x16_eq(b, backslash)),
                               wasm_u8x16_lt(b, space));
    uint32_t bits = wasm_i8x16_bitmask(stop);
    if (bits == 0) {
      p += 16;
      continue;
    }
    p += __builtin_ctz(bits);
    if (p >= end) return 0;
    uint8_t c = *p;
    if (c == '"') return p + 1;
    if (c != '\\') return 0;
    uint8_t e = p[1];
    if (e == 'u') {
      for (uint32_t k = 2; k < 6; k++)
        if (!is_hex(p[k])) return 0;
      p += 6;
      continue;
    }
    if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't')
      return 0;
    p += 2;
  }
}

static const uint8_t *skip_digits(const uint8_t *p, const uint8_t *end) {
  const uint8_t *from = p;
  while (p < end && (uint8_t)(*p - '0') < 10) p++;
  return p == from ? 0 : p;
}

static const uint8_t *skip_number(const uint8_t *start, const uint8_t *end) {
  const uint8_t *p = *start == '-' ? start + 1 : start;
  p = *p == '0' ? p + 1 : skip_digits(p, end);
  if (p != 0 && *p == '.') p = skip_digits(p + 1, end);
  if (p != 0 && (*p == 'e' || *p == 'E')) {
    p++;
    if (*p == '+' || *p == '-') p++;
    p = skip_digits(p, end);
  }
  return p;
}

static const uint8_t *skip_literal(const uint8_t *p, const uint8_t *end, const char *word, uint32_t length) {
  if ((uint32_t)(end - p) < length) return 0;
  for (uint32_t k = 0; k < length; k++)
    if (p[k] != (uint8_t)word[k]) return 0;
  return p + length;
}

/* skipValue: any JSON value at p; the position after it, or 0 when it is not valid. */
static const uint8_t *skip_value(const uint8_t *p, const uint8_t *end, uint32_t depth) {
  uint8_t c = p < end ? *p : 0;
  if (c == '"') return skip_string(p, end);
  if (c == '{' || c == '[') {
    if (depth > MAX_DEPTH) return 0;
    uint8_t close = c == '{' ? '}' : ']';
    p = skip_ws(p + 1, end);
    if (p < end && *p == close) return p + 1;
    for (;;) {
      if (c == '{') {
        if (p >= end || *p != '"') return 0;
        p = skip_string(p, end);
        if (p == 0) return 0;
        p = skip_ws(p, end);
        if (p >= end || *p != ':') return 0;
        p = skip_ws(p + 1, end);
      }
      p = skip_value(p, end, depth + 1);
      if (p == 0) return 0;
      p = skip_ws(p, end);
      if (p < end && *p == ',') {
        p = skip_ws(p + 1, end);
        continue;
      }
      return p < end && *p == close ? p + 1 : 0;
    }
  }
  if (c == 't') return skip_literal(p, end, "true", 4);
  if (c == 'f') return skip_literal(p, end, "false", 5);
  if (c == 'n') return skip_literal(p, end, "null", 4);
  if (c == '-' || (uint8_t)(c - '0') < 10) return skip_number(p, end);
  return 0;
}

static inline uint32_t same(const uint8_t *p, const char *word, uint32_t length) {
  for (uint32_t k = 0; k < length; k++)
    if (p[k] != (uint8_t)word[k]) return 0;
  return 1;
}

/* keyIndex: which field of interest the raw key bytes [p, p + length) are, or -1. */
static int32_t key_index(const uint8_t *p, uint32_t length) {
  switch (length) {
    case 2:
      return same(p, "@l", 2) ? K_AT_L : same(p, "@t", 2) ? K_AT_T : -1;
    case 3:
      return same(p, "lvl", 3) ? K_LVL : same(p, "log", 3) ? K_LOG : -1;
    case 5:
      return same(p, "level", 5) ? K_LEVEL : -1;
    case 6:
      return same(p, "stream", 6) ? K_STREAM : -1;
    case 8:
      return same(p, "severity", 8) ? K_SEVERITY : same(p, "PRIORITY", 8) ? K_PRIORITY : -1;
    case 9:
      return same(p, "log.level", 9) ? K_LOG_LEVEL : same(p, "levelname", 9) ? K_LEVELNAME : -1;
    case 12:
      return same(p, "severityText", 12) ? K_SEVERITY_TEXT : -1;
    default:
      return -1;
  }
}

/* findNestedLevel: "level" directly inside the object at p (the value of "log"); the
 * object is valid, so every step succeeds. */
static void find_nested_level(const uint8_t *p, const uint8_t *end, struct fields *out) {
  p = skip_ws(p + 1, end);
  while (p < end && *p == '"') {
    const uint8_t *key_end = skip_string(p, end);
    if (key_end == 0) return;
    uint32_t is_level = key_end - p - 2 == 5 && key_index(p + 1, 5) == K_LEVEL;
    p = skip_ws(skip_ws(key_end, end) + 1, end);
    const uint8_t *value_end = skip_value(p, end, 1);
    if (value_end == 0) return;
    if (is_level) {
      out->nested_start = p;
      out->nested_end = value_end;
    }
    p = skip_ws(value_end, end);
    if (p >= end || *p != ',') return;
    p = skip_ws(p + 1, end);
  }
}

/* readJsonFields: whether [start, end) is exactly one JSON object, and its fields of interest. */
static uint32_t read_json_fields(const uint8_t *start, const uint8_t *end, struct fields *out) {
  for (uint32_t k = 0; k < N_KEYS; k++) out->start[k] = 0;
  out->nested_start = 0;
  const uint8_t *p = skip_ws(start, end);
  if (p >= end || *p != '{') return 0;
  p = skip_ws(p + 1, end);
  if (p < end && *p == '}') return skip_ws(p + 1, end) == end;
  for (;;) {
    if (p >= end || *p != '"') return 0;
    const uint8_t *key_end = skip_string(p, end);
    if (key_end == 0) return 0;
    int32_t key = key_index(p + 1, (uint32_t)(key_end - p - 2));
    p = skip_ws(key_end, end);
    if (p >= end || *p != ':') return 0;
    p = skip_ws(p + 1, end);
    const uint8_t *value_end = skip_value(p, end, 1);
    if (value_end == 0) return 0;
    if (key != -1) {
      /* A repeated key: the last one wins, as in JSON.parse (a "log" with its nested level). */
      out->start[key] = p;
      out->end[key] = value_end;
      if (key == K_LOG) out->nested_start = 0;
      if (key == K_LOG && *p == '{') find_nested_level(p, value_end, out);
    }
    p = skip_ws(value_end, end);
    if (p < end && *p == ',') {
      p = skip_ws(p + 1, end);
      continue;
    }
    if (p >= end || *p != '}') return 0;
    return skip_ws(p + 1, end) == end;
  }
}

/* valueLevel's fast cases: a quoted word of 1 to 10 letters, or 1 to 6 digits (bare or
 * quoted); anything else, or a value that names no level, goes to JavaScript. */
static int32_t value_level(const uint8_t *from, const uint8_t *to, uint32_t is_priority) {
  uint32_t quoted = *from == '"';
  const uint8_t *p = from + quoted, *q = to - quoted;
  uint32_t length = (uint32_t)(q - p);
  if (length == 0 || length > MAX_WORD) return PUNT;
  if ((uint8_t)((*p | 0x20) - 'a') < 26) {
    if (!quoted) return PUNT;
    for (const uint8_t *r = p; r < q; r++)
      if ((uint8_t)((*r | 0x20) - 'a') >= 26) return PUNT;
    uint32_t level = lookup(p, length);
    return level != 0 ? (int32_t)level : PUNT;
  }
  if (length > 6) return PUNT;
  uint32_t value = 0;
  for (const uint8_t *r = p; r < q; r++) {
    if ((uint8_t)(*r - '0') >= 10) return PUNT;
    value = value * 10 + (*r - '0');
  }
  uint32_t level = is_priority ? (value < 8 ? syslog_levels[value] : 0)
                               : (value < NUMERIC_SLOTS ? numeric_levels[value] : 0);
  return level != 0 ? (int32_t)level : PUNT;
}

/* Decodes the JSON string [from, to) (quotes included, already valid) into scratch as
 * JSON.parse and then Buffer.from(…, 'latin1') do (\uXXXX keeps its low byte); returns its
 * length, or -1 when it does not fit. Runs without a backslash are copied 16 bytes at a
 * time (a block may be stored past the string's end: scratch has room for it). */
static int32_t unescape(const uint8_t *from, const uint8_t *to) {
  const v128_t backslash = wasm_i8x16_splat('\\');
  const uint8_t *p = from + 1, *stop = to - 1;
  uint32_t n = 0;
  while (p < stop) {
    if (n >= SCRATCH) return -1;
    v128_t block = wasm_v128_load(p);
    wasm_v128_store(scratch + n, block);
    uint32_t bits = wasm_i8x16_bitmask(wasm_i8x16_eq(block, backslash));
    uint32_t take = bits != 0 ? (uint32_t)__builtin_ctz(bits) : 16;
    uint32_t left = (uint32_t)(stop - p);
    if (take > left) take = left;
    p += take;
    n += take;
    if (p >= stop || *p != '\\') continue;
    uint8_t e = p[1], c;
    if (e == 'u') {
      uint32_t low = 0;
      for (uint32_t k = 4; k < 6; k++) {
        uint8_t h = p[k];
        low = low * 16 + ((uint8_t)(h - '0') < 10 ? (uint32_t)(h - '0') : (uint32_t)((h | 0x20) - 'a' + 10));
      }
      c = (uint8_t)low;
      p += 6;
    } else {
      c = e == 'b' ? 8 : e == 'f' ? 12 : e == 'n' ? 10 : e == 'r' ? 13 : e == 't' ? 9 : e;
      p += 2;
    }
    scratch[n++] = c;
  }
  return n > SCRATCH ? -1 : (int32_t)n;
}

/* jsonLevel for the object [p, end) (first byte '{'), or NOT_JSON when it is none. */
static int32_t json_level(const uint8_t *p, const uint8_t *end, uint32_t unwrap) {
  struct fields f;
  if (!read_json_fields(p, end, &f)) return NOT_JSON;
  if (unwrap && f.start[K_LOG] != 0 && *f.start[K_LOG] == '"' && f.start[K_STREAM] != 0) {
    /* Docker's json-file wrapper: the level is the wrapped line's. */
    int32_t length = unescape(f.start[K_LOG], f.end[K_LOG]);
    if (length < 0) return PUNT;
    if (length > 0 && scratch[length - 1] == '\n') length--;
    if (length > 0 && scratch[length - 1] == '\r') length--;
    const uint8_t *inner = scratch, *inner_end = scratch + length;
    /* The sentinel the string search and the block loads expect after a line. */
    scratch[length] = '\n';
    const uint8_t *r = inner;
    while (r < inner_end && (*r == ' ' || *r == '\t')) r++;
    if (r < inner_end && *r == '{') {
      int32_t level = json_level(r, inner_end, 0);
      if (level != NOT_JSON) return level;
    }
    return text_level(inner, inner_end, find_logfmt_key(inner, inner_end));
  }
  for (uint32_t key = K_LEVEL; key <= K_PRIORITY; key++) {
    if (f.start[key] != 0) return value_level(f.start[key], f.end[key], key == K_PRIORITY);
    /* The nested {"log":{"level":…}} comes right after a literal "log.level" key. */
    if (key == K_LOG_LEVEL && f.nested_start != 0) return value_level(f.nested_start, f.nested_end, 0);
  }
  return f.start[K_AT_T] != 0 ? (int32_t)info_level : NO_LEVEL;
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
    /* The line's newline, 64 bytes at a time, noting the first logfmt key before it; a
     * block without a newline or a '=' (or any '=' once a key is found) costs one test. */
    const uint8_t *q = p;
    const uint8_t *key = 0;
    for (;;) {
      v128_t b0 = wasm_v128_load(q), b1 = wasm_v128_load(q + 16);
      v128_t b2 = wasm_v128_load(q + 32), b3 = wasm_v128_load(q + 48);
      v128_t n0 = wasm_i8x16_eq(b0, newline), n1 = wasm_i8x16_eq(b1, newline);
      v128_t n2 = wasm_i8x16_eq(b2, newline), n3 = wasm_i8x16_eq(b3, newline);
      v128_t e0 = wasm_i8x16_eq(b0, equals), e1 = wasm_i8x16_eq(b1, equals);
      v128_t e2 = wasm_i8x16_eq(b2, equals), e3 = wasm_i8x16_eq(b3, equals);
      v128_t any_nl = wasm_v128_or(wasm_v128_or(n0, n1), wasm_v128_or(n2, n3));
      v128_t any_eq = wasm_v128_or(wasm_v128_or(e0, e1), wasm_v128_or(e2, e3));
      if (!wasm_v128_any_true(key == 0 ? wasm_v128_or(any_nl, any_eq) : any_nl)) {
        q += 64;
        continue;
      }
      uint64_t nl = (uint64_t)wasm_i8x16_bitmask(n0) | (uint64_t)wasm_i8x16_bitmask(n1) << 16 |
                    (uint64_t)wasm_i8x16_bitmask(n2) << 32 | (uint64_t)wasm_i8x16_bitmask(n3) << 48;
      uint64_t eq = (uint64_t)wasm_i8x16_bitmask(e0) | (uint64_t)wasm_i8x16_bitmask(e1) << 16 |
                    (uint64_t)wasm_i8x16_bitmask(e2) << 32 | (uint64_t)wasm_i8x16_bitmask(e3) << 48;
      uint32_t at = nl != 0 ? (uint32_t)__builtin_ctzll(nl) : 64;
      if (at < 64) eq &= ((uint64_t)1 << at) - 1;
      for (; eq != 0 && key == 0; eq &= eq - 1)
        if (logfmt_key(p, q + __builtin_ctzll(eq))) key = q + __builtin_ctzll(eq);
      q += at;
      if (at < 64) break;
    }
    if (q == stop && !final) break;
    const uint8_t *line_end = q > p && q[-1] == '\r' ? q - 1 : q;
    const uint8_t *r = p;
    while (r < line_end && (*r == ' ' || *r == '\t')) r++;
    int32_t level = NOT_JSON;
    if (r < line_end && *r == '{') level = json_level(r, line_end, 1);
    if (level == NOT_JSON) level = text_level(p, line_end, key);
    uint32_t special = level == PUNT;
    if (special) {
      specials[2 * nspecial] = (uint32_t)(uintptr_t)p;
      specials[2 * nspecial + 1] = (uint32_t)(uintptr_t)line_end;
      nspecial++;
    } else {
      lines++;
      if (level != NO_LEVEL)
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
