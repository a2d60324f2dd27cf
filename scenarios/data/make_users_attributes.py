"""Write users_attributes.csv: the attribute table of scenarios/segmented_campaign.yaml.

One row per user of the scenario's audience (a Barabasi-Albert graph of 6,000 users,
ids 0..5999): age band, region, income band and main interest, drawn from fixed shares
with a fixed seed, so running this again writes the same file::

    python scenarios/data/make_users_attributes.py

Interests lean on age (the young follow gaming and fashion more, older users home and
travel), so the segments differ in who they are, not only in size.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

N_USERS = 6000
SEED = 2026
AGE = {"18-24": 0.25, "25-34": 0.35, "35-54": 0.28, "55+": 0.12}
REGION = {"urban": 0.55, "suburban": 0.3, "rural": 0.15}
INCOME = {"low": 0.3, "middle": 0.5, "high": 0.2}
INTERESTS = ("fitness", "gaming", "fashion", "home", "travel")
#: Shares of each interest in each age band.
INTEREST_BY_AGE = {
    "18-24": (0.25, 0.35, 0.25, 0.05, 0.10),
    "25-34": (0.30, 0.20, 0.20, 0.10, 0.20),
    "35-54": (0.25, 0.10, 0.10, 0.30, 0.25),
    "55+": (0.15, 0.05, 0.05, 0.40, 0.35),
}


def draw(rng: np.random.Generator, shares: dict[str, float]) -> np.ndarray:
    return rng.choice(np.array(list(shares)), size=N_USERS, p=list(shares.values()))


def main() -> None:
    rng = np.random.default_rng(SEED)
    age = draw(rng, AGE)
    region = draw(rng, REGION)
    income = draw(rng, INCOME)
    interest = np.empty(N_USERS, dtype=object)
    for band, shares in INTEREST_BY_AGE.items():
        rows = np.flatnonzero(age == band)
        interest[rows] = rng.choice(np.array(INTERESTS), size=rows.size, p=shares)
    out = Path(__file__).with_name("users_attributes.csv")
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["user", "age_band", "region", "income_band", "interest"])
        for v in range(N_USERS):
            writer.writerow([v, age[v], region[v], income[v], interest[v]])


if __name__ == "__main__":
    main()
