#!/usr/bin/env python3
"""Validate JSON documents against a JSON Schema (draft 2020-12 subset).

usage: validate.py SCHEMA FILE... [--jsonl]

A small validator so CI needs no extra package: type, const, enum, required,
properties, additionalProperties, dependentRequired, items, minItems, maxItems, minLength,
maxLength, pattern, minimum, maximum, oneOf, anyOf, $ref to #/$defs. When the
python3-jsonschema package is installed the documents are checked by it too.
With --jsonl every line of each FILE is one document (OCSF output).
Exit 0 all valid, 1 some invalid, 2 bad usage.
"""
import json
import re
import sys

TYPES = {
    'object': lambda v: isinstance(v, dict),
    'array': lambda v: isinstance(v, list),
    'string': lambda v: isinstance(v, str),
    'integer': lambda v: isinstance(v, int) and not isinstance(v, bool)
    or (isinstance(v, float) and v.is_integer()),
    'number': lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    'boolean': lambda v: isinstance(v, bool),
    'null': lambda v: v is None,
}


def check(schema, v, root, path, errs):
    if schema is True or schema == {}:
        return
    if schema is False:
        errs.append('%s: not allowed' % path)
        return
    if '$ref' in schema:
        ref = schema['$ref']
        assert ref.startswith('#/$defs/'), ref
        check(root['$defs'][ref[8:]], v, root, path, errs)
    t = schema.get('type')
    if t is not None:
        ts = t if isinstance(t, list) else [t]
        if not any(TYPES[x](v) for x in ts):
            errs.append('%s: want %s, got %r' % (path, '/'.join(ts), type(v).__name__))
            return
    if 'const' in schema and v != schema['const']:
        errs.append('%s: want %r' % (path, schema['const']))
    if 'enum' in schema and v not in schema['enum']:
        errs.append('%s: %r not one of %r' % (path, v, schema['enum']))
    if isinstance(v, str):
        if 'pattern' in schema and not re.search(schema['pattern'], v):
            errs.append('%s: %r does not match %s' % (path, v, schema['pattern']))
        if len(v) < schema.get('minLength', 0) or len(v) > schema.get('maxLength', 1 << 60):
            errs.append('%s: length %d out of range' % (path, len(v)))
    if TYPES['number'](v):
        if 'minimum' in schema and v < schema['minimum']:
            errs.append('%s: %r < %r' % (path, v, schema['minimum']))
        if 'maximum' in schema and v > schema['maximum']:
            errs.append('%s: %r > %r' % (path, v, schema['maximum']))
    if isinstance(v, dict):
        for k in schema.get('required', []):
            if k not in v:
                errs.append('%s: missing %s' % (path, k))
        for k, needs in schema.get('dependentRequired', {}).items():
            for n in needs if k in v else []:
                if n not in v:
                    errs.append('%s: %s without %s' % (path, k, n))
        props = schema.get('properties', {})
        for k, sub in v.items():
            if k in props:
                check(props[k], sub, root, '%s.%s' % (path, k), errs)
            elif 'additionalProperties' in schema:
                check(schema['additionalProperties'], sub, root, '%s.%s' % (path, k), errs)
    if isinstance(v, list):
        if len(v) < schema.get('minItems', 0) or len(v) > schema.get('maxItems', 1 << 60):
            errs.append('%s: %d items out of range' % (path, len(v)))
        if 'items' in schema:
            for i, sub in enumerate(v):
                check(schema['items'], sub, root, '%s[%d]' % (path, i), errs)
    for key, need in (('oneOf', 1), ('anyOf', None)):
        if key in schema:
            ok = 0
            for alt in schema[key]:
                e = []
                check(alt, v, root, path, e)
                ok += not e
            if (need and ok != need) or (not need and ok == 0):
                errs.append('%s: matches %d of the %s alternatives' % (path, ok, key))


def main():
    args = [a for a in sys.argv[1:] if a != '--jsonl']
    jsonl = '--jsonl' in sys.argv
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    schema = json.load(open(args[0]))
    try:
        import jsonschema
        extra = jsonschema.Draft202012Validator(schema)
    except Exception:
        extra = None
    bad = 0
    for f in args[1:]:
        text = open(f, encoding='utf-8').read()
        docs = [json.loads(l) for l in text.splitlines() if l.strip()] if jsonl else [json.loads(text)]
        for n, doc in enumerate(docs):
            errs = []
            check(schema, doc, schema, '$', errs)
            if extra is not None:
                errs += ['jsonschema: %s at %s' % (e.message, '/'.join(map(str, e.path)))
                         for e in extra.iter_errors(doc)]
            for e in errs[:20]:
                print('%s%s: %s' % (f, '#%d' % n if jsonl else '', e))
            bad += bool(errs)
    print('%d document(s) invalid' % bad if bad else 'all valid')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
