"""The PyTorch twin's modules and the conversion both ways: names, shapes, bits."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from nnlearn.engine import mlp, resnet  # noqa: E402
from nnlearn.engine.activations import ACTIVATIONS as NP_ACTIVATIONS  # noqa: E402
from nnlearn.torch import (ACTIVATIONS, TorchNetwork, from_torch, load_parameters,  # noqa: E402
                           resolve_device, to_torch)


def _networks(dtype):
    return [mlp(6, [7, 5], 3, "tanh", seed=1, dtype=dtype),
            mlp(6, [7], 3, "relu", dropout=0.3, seed=2, dtype=dtype),
            resnet(6, 8, 3, 4, "softplus", inner=5, dropout=0.2, seed=3, dtype=dtype)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_state_dict_has_the_engine_names_shapes_and_dtype(dtype):
    for net in _networks(dtype):
        module = to_torch(net)
        state = module.state_dict()
        own = net.parameters()
        assert list(state) == list(own)
        for name, p in own.items():
            assert tuple(state[name].shape) == p.shape
            assert state[name].numpy().dtype == np.dtype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_is_bit_exact(dtype):
    for net in _networks(dtype):
        net.metadata = {"classes": ["a", "b", "c"]}
        back = from_torch(to_torch(net))
        assert back.layer_list() == net.layer_list()
        assert back.metadata == net.metadata
        for name, p in net.parameters().items():
            q = back.parameters()[name]
            assert q.dtype == p.dtype
            assert q.tobytes() == p.tobytes(), name


def test_a_converted_module_converts_back_in_its_new_dtype():
    module = to_torch(mlp(3, [4], 2, dtype=np.float32)).double()
    back = from_torch(module)
    assert back.dtype == np.float64
    assert all(p.dtype == np.float64 for p in back.parameters().values())


def test_the_twin_computes_the_engines_forward_pass():
    net = resnet(6, 8, 2, 4, "sigmoid", inner=3, seed=4, dtype=np.float64)
    X = np.random.default_rng(0).normal(size=(20, 6))
    z = to_torch(net)(torch.from_numpy(X)).detach().numpy()
    np.testing.assert_allclose(z, net.forward(X), rtol=1e-12, atol=1e-12)


def test_the_twin_takes_input_of_any_real_dtype_as_the_engine_does():
    net = mlp(3, [4], 2, seed=0)  # float32 weights
    module = to_torch(net)
    X = np.random.default_rng(0).normal(size=(5, 3))  # float64 data
    expected = net.forward(X)
    for given in (torch.from_numpy(X), X, torch.from_numpy(X).to(torch.float16),
                  torch.ones(5, 3, dtype=torch.int64)):
        out = module(given)
        assert out.dtype == torch.float32
        if given is X or isinstance(given, torch.Tensor) and given.dtype == torch.float64:
            np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-6)
    with pytest.raises(TypeError, match="takes real inputs, got torch.complex64"):
        module(torch.zeros(5, 3, dtype=torch.complex64))


def test_activation_table_matches_the_engine():
    assert set(ACTIVATIONS) == set(NP_ACTIVATIONS)
    # Far into both tails too: the softplus and sigmoid forms must stay exact there.
    z = np.concatenate([np.linspace(-40, 40, 201), [-700.0, -30.5, 0.0, 25.0, 700.0]])
    for name, sigma in ACTIVATIONS.items():
        got = sigma(torch.from_numpy(z)).numpy()
        np.testing.assert_allclose(got, NP_ACTIVATIONS[name][0](z), rtol=1e-14, atol=1e-300,
                                   err_msg=name)


def test_fresh_modules_follow_the_engines_initial_laws():
    torch.manual_seed(0)
    module = TorchNetwork(mlp(400, [300], 10, "relu").layer_list())
    W0, b0 = module.layers[0].W.detach(), module.layers[0].b.detach()
    assert abs(W0.std().item() / np.sqrt(2 / 400) - 1) < 0.02  # He: Var W = 2 / n_in
    assert torch.count_nonzero(b0) == 0
    W1 = module.layers[1].W.detach()  # Glorot uniform: |W| <= sqrt(6 / (n_in + n_out))
    assert W1.abs().max().item() <= np.sqrt(6 / 310)


def test_dropout_is_inverted_and_off_in_eval_mode():
    module = to_torch(mlp(3, [4000], 2, "identity", dropout=0.25, dtype=np.float64))
    drop = module.layers[1]
    drop.generator = torch.Generator().manual_seed(0)
    f = torch.ones(5, 4000, dtype=torch.float64)
    out = drop(f)
    assert set(np.unique(out.numpy())) == {0.0, 1 / 0.75}
    assert abs((out == 0).double().mean().item() - 0.25) < 0.01
    module.eval()
    assert torch.equal(drop(f), f)


def test_load_parameters_names_what_does_not_match():
    module = to_torch(mlp(2, [3], 2))
    values = {k: v.detach().numpy() for k, v in module.state_dict().items()}
    with pytest.raises(ValueError, match="missing.*layers.1.b"):
        load_parameters(module, {k: v for k, v in values.items() if k != "layers.1.b"})
    with pytest.raises(ValueError, match=r"layers.0.W has shape \(2, 3\)"):
        load_parameters(module, dict(values, **{"layers.0.W": np.zeros((2, 3))}))
    frozen = {k: v.copy() for k, v in values.items()}
    for v in frozen.values():
        v.flags.writeable = False  # as arrays read from a model file can be
    load_parameters(module, frozen)


def test_bad_specs_and_devices_are_clear_errors():
    with pytest.raises(ValueError, match="unknown layer type 'conv'"):
        TorchNetwork({"dtype": "float32", "layers": [{"type": "conv"}]})
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        TorchNetwork({"dtype": "float32", "layers": [
            {"type": "dense", "n_in": 2, "n_out": 2, "activation": "swish"}]})
    with pytest.raises(ValueError, match="floating-point"):
        TorchNetwork(dict(mlp(2, [3], 2).layer_list(), dtype="int32"))
    with pytest.raises(ValueError, match="unknown device 'gpu0'"):
        resolve_device("gpu0")
    assert resolve_device(None) == resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="'cuda:1'.*CUDA is not available"):
            to_torch(mlp(2, [3], 2), device="cuda:1")
    with pytest.raises(TypeError, match="TorchNetwork"):
        from_torch(torch.nn.Linear(2, 2))
