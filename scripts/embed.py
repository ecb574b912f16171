#!/usr/bin/env python3
"""Turn a data file into a C source holding it as one NUL-terminated string.

usage: embed.py SYMBOL INPUT OUTPUT

Data files (the Kafka release table, the MSK catalogue, the finding catalogue)
stay plain text with their sources at the top; the build compiles them in so
the binary needs no data directory, and the same C parser reads the built-in
copy and a user-supplied override file.
"""
import sys

def main():
    sym, src, dst = sys.argv[1:4]
    data = open(src, 'rb').read()
    if b'\0' in data:
        sys.exit('embed.py: %s contains a NUL byte' % src)
    out = ['/* generated from %s by scripts/embed.py: do not edit */' % src,
           '#include <stddef.h>',
           'const char %s[] =' % sym]
    for line in data.split(b'\n'):
        esc = ''.join(c if 32 <= ord(c) < 127 and c not in '"\\?' else '\\%03o' % ord(c)
                      for c in line.decode('latin-1'))
        out.append('\t"%s\\n"' % esc)
    out.append(';')
    out.append('const size_t %s_len = sizeof(%s) - 1;' % (sym, sym))
    open(dst, 'w').write('\n'.join(out) + '\n')

if __name__ == '__main__':
    main()
