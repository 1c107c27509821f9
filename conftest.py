"""pytest: the torch modules' doctests are collected only where torch is installed."""
import importlib.util

collect_ignore = []
if importlib.util.find_spec("torch") is None:
    collect_ignore += ["algdiv/transforms/_torch.py", "algdiv/quant/_torch_adapters.py",
                       "algdiv/quant/_gemma_torch.py"]
