# temporary stand-in until the real module lands
from dataclasses import dataclass
@dataclass(frozen=True)
class NormalizedText:
    original: str
    text: str
    def to_original(self, s, e): return s, e
_T = str.maketrans({"’": "'", "\u00a0": " ", "\u202f": " ", "“": '"', "”": '"'})
def normalize(t): return NormalizedText(t, t.translate(_T))
