"""The kernel's numbers do not change when its code is only moved or reorganised."""

import pandas as pd

from golden import GOLDEN_FILE, all_cases


def test_same_seeds_give_the_numbers_recorded_before_the_kernel_moved():
    recorded = pd.read_csv(GOLDEN_FILE)
    now = all_cases()
    assert list(now.columns) == list(recorded.columns)
    for case, rows in recorded.groupby("case", sort=False):
        mine = now[now["case"] == case].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine.drop(columns="case"),
                                      rows.reset_index(drop=True).drop(columns="case"),
                                      check_dtype=False, rtol=1e-9, obj=case)
