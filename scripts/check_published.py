"""Reproduce every published number from the shipped microdata with plain pandas.

Independent of the `dashboard` package on purpose: it reads the CSV itself and computes weighted
shares directly, so it checks the data file, not the project's estimators. A share's base is the rows
that answered the question (item nonresponse is left out, as in the publications).
Usage: python scripts/check_published.py [DATA_CSV] ; exits 1 if any number is missed.
"""

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
TECH = ["solution", "important"]


def read(path):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["weight"] = df["weight"].astype(float)
    return df


def base_mask(df, base, conditions):
    rnd = conditions.pop("round", ["2018-2019"])
    mask = df["round"].isin(rnd)
    if base in ("innovators", "tech_innovators"):
        mask &= df["innovated"] == "true"
    if base == "tech_innovators":
        mask &= df["tech_role"].isin(TECH)
    for column, codes in conditions.items():
        mask &= df[column].isin(codes)
    return mask


def parse(filter_text):
    out = {}
    for part in filter(None, (filter_text or "").split(";")):
        column, codes = part.split("=")
        out[column] = codes.split("|")
    return out


def indicator(df, variable, code):
    columns = variable.split("|")
    if code == "true":
        answered = df[columns].ne("").all(axis=1)
        return df[columns].eq("true").any(axis=1), answered
    return df[variable].isin(code.split("|")), df[variable].ne("")


def share(df, row):
    mask = base_mask(df, row["base"], parse(row["filter"]))
    y, answered = indicator(df, row["variable"], row["code"])
    m = mask & answered
    return 100 * (df.loc[m, "weight"] * y[m]).sum() / df.loc[m, "weight"].sum()


def main(argv):
    data = Path(argv[1]) if len(argv) > 1 else ROOT / "data" / "barometer_synthetic.csv"
    df = read(data)
    published = pd.read_csv(ROOT / "data" / "published" / "numbers.csv", dtype=str, keep_default_na=False)
    misses = 0
    for _, row in published.iterrows():
        if row["kind"] == "count":
            got = base_mask(df, row["base"], {}).sum()
            ok = got == int(row["value"])
        elif row["kind"] == "share":
            got = share(df, row)
            if row["value"]:
                ok = abs(got - float(row["value"])) <= 0.5
            else:
                ok = float(row["low"]) <= got <= float(row["high"])
        else:
            continue
        target = row["value"] or f"{row['low']}-{row['high']}"
        misses += not ok
        print(f"{'ok  ' if ok else 'MISS'} {row['id']:<34} {got:8.2f}  published {target}")
    print(f"{len(published) - misses} matched, {misses} missed")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
