#!/usr/bin/env bash
# make_users.sh N [DIR]
#
# Writes N SIP users 1000 .. 1000+N-1 (password "pw<user>") for the benchmark:
#   DIR/subscriber  Kamailio db_text table (auth_db): username, domain,
#                   password (plain, unused by kamailio.cfg) and
#                   ha1 = MD5(user:realm:password), realm = SIP domain
#   DIR/version     db_text table versions (subscriber = 7, Kamailio 5.6)
#   DIR/users.csv   sipp injection file (-inf), first line SEQUENTIAL,
#                   then "user;password" per line
# DIR defaults to bench/sip/db (git-ignored). The realm is $SIP_DOMAIN,
# default bench.local: it must match the domain the scenarios use
# (sipp -key domain ...) because the ha1 column depends on it.
set -euo pipefail
N=${1:?usage: make_users.sh N [DIR]}
DIR=${2:-$(cd "$(dirname "$0")" && pwd)/db}
DOMAIN=${SIP_DOMAIN:-bench.local}
mkdir -p "$DIR"
python3 - "$N" "$DIR" "$DOMAIN" <<'PY'
import hashlib, os, sys
n, d, dom = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(os.path.join(d, "subscriber"), "w") as sub, \
     open(os.path.join(d, "users.csv"), "w") as csv:
    sub.write("id(int,auto) username(string) domain(string) password(string) "
              "ha1(string) ha1b(string)\n")
    csv.write("SEQUENTIAL\n")
    for i in range(n):
        user = str(1000 + i)
        pw = "pw" + user
        ha1 = hashlib.md5(f"{user}:{dom}:{pw}".encode()).hexdigest()
        ha1b = hashlib.md5(f"{user}@{dom}:{dom}:{pw}".encode()).hexdigest()
        sub.write(f"{i + 1}:{user}:{dom}:{pw}:{ha1}:{ha1b}\n")
        csv.write(f"{user};{pw}\n")
with open(os.path.join(d, "version"), "w") as v:
    v.write("id(int,auto) table_name(string) table_version(int)\n")
    v.write("1:version:1\n2:subscriber:7\n")
PY
echo "wrote $N users (1000..$((1000 + N - 1)), realm $DOMAIN) to $DIR"
