from dacapo.experiments.datasplits.keys import ArrayKey, DataKey, GraphKey


def test_array_keys_have_classic_values():
    assert {key.name: key.value for key in ArrayKey} == {
        "RAW": "raw",
        "GT": "gt",
        "MASK": "mask",
        "NON_EMPTY": "non_empty_mask",
    }
    assert ArrayKey("gt") is ArrayKey.GT


def test_graph_key_and_common_base():
    assert GraphKey.SPECIFIED_LOCATIONS.value == "specified_locations"
    assert isinstance(ArrayKey.RAW, DataKey)
    assert isinstance(GraphKey.SPECIFIED_LOCATIONS, DataKey)
    assert not isinstance(ArrayKey.RAW, GraphKey)
