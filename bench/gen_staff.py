#!/usr/bin/env python3
"""Writes N realistic staff rows in the import format (deterministic), for benchmarks."""
import random
import sys

n = int(sys.argv[1])
rng = random.Random(2020)
first = ["Jürgen", "Bärbel", "Sören", "Anna", "Lena", "Günther", "Ursula", "Özlem", "Thomas", "Käthe"]
last = ["Müller", "Schäfer", "Weiß", "Groß", "Köhler", "Böhm", "Schmidt", "Krüger", "Jäger", "Wagner"]
units = [f"Referat {r}/Abteilung {r}.{a}/Sachgebiet {r}.{a}.{s}" for r in range(1, 11) for a in range(1, 6) for s in range(1, 5)]
roles = ["user", "user", "user", "agent|user", "supervisor|user"]
features = ["softphone", "softphone|mobile_work", "", "softphone|meetings", "hotline|softphone"]
print("login,name,unit,extension,email,mobile,roles,features")
for i in range(n):
    f, l = rng.choice(first), rng.choice(last)
    login = f"u{i:06d}"
    mobile = f"+49 151 {rng.randrange(10**7, 10**8)}" if i % 3 == 0 else ""
    print(f"{login},{f} {l},{rng.choice(units)},{100000 + i},{login}@stadt.example,{mobile},{rng.choice(roles)},{rng.choice(features)}")
