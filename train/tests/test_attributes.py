import torch

from seedface_train.attributes import ATTRIBUTES, directions


def test_a_planted_direction_is_recovered():
    gen = torch.Generator().manual_seed(0)
    eps = torch.randn(2000, 16, generator=gen)
    truth = torch.zeros(16)
    truth[3], truth[7] = 0.6, 0.8
    smiling = torch.rand(2000, generator=gen) < 0.5
    eps[smiling] += 1.5 * truth  # smilers sit 1.5 units further along `truth`
    keys = [f"k{i}" for i in range(2000)]
    labels = {k: {"Smiling": "1" if s else "-1"} for k, s in zip(keys, smiling.tolist())}
    found = directions(eps, keys, labels)
    assert set(found) == {"smile"}  # no other attribute has labels here
    direction = torch.tensor(found["smile"]["direction"])
    assert float(direction @ truth) > 0.97
    assert abs(found["smile"]["scale"] - 1.5) < 0.25


def test_utkface_rows_label_age_and_gender():
    age, gender = ATTRIBUTES["age"][0], ATTRIBUTES["gender"][0]
    assert age({"age": "62"}) == 1 and age({"age": "25"}) == -1 and age({"age": "42"}) is None
    assert gender({"gender": "0", "Male": ""}) == 1 and gender({"gender": "1", "Male": ""}) == -1
    assert age({"age": "", "Young": "1"}) == -1 and gender({"Male": "-1"}) == -1
