"""French verb morphology: every surface form of a verb lemma that news text uses.

This module owns conjugation for the rule compiler. A lexicon lists lemmas ("déclarer",
"s'inquiéter", "s'en prendre", "faire savoir"); `expand_verb` turns one lemma into the flat list of
forms a rule should match, each tagged with its tense:

* simple tenses for all persons, imperative, infinitive, present participle, past participle with
  gender/number agreement;
* compound tenses with the right auxiliary (être for reflexives and the motion verbs listed in
  `_ETRE_VERBS`, both auxiliaries for `_BOTH_AUX_VERBS`, avoir otherwise). With être the participle
  agrees; with avoir it stays masculine singular ("a déclaré");
* inversion for 3rd persons, the incise of quoted speech: "déclare-t-il", "dit-elle",
  "a-t-il déclaré", "s'est-elle inquiétée", "fait-il savoir";
* reflexive and "en"/"y" clitics before the verb ("s'inquiète", "nous félicitons", "s'en est pris"),
  never the subject pronoun: "nous nous félicitons" is matched by the form "nous félicitons";
* multiword lemmas whose first word is the verb and the rest a fixed tail ("faire savoir" gives
  "a fait savoir", "fait-il savoir", "a-t-il fait savoir").

Contract: forms are lowercase NFC with a straight apostrophe and single spaces; the order is
deterministic and (form, tense) pairs are unique. A lemma that is not a conjugable French verb
raises `MorphologyError`. Spelling reforms: both spellings are produced where usage is split
("répétera"/"répètera", "connaît"/"connait", "paie"/"paye", "renouvelle"/"renouvèle").

Conjugation is table driven: irregular families are written out as the real forms of one example
verb ("cr|aindre" covers craindre, plaindre, contraindre); a lemma picks the family whose key is its
longest suffix and gets the family's forms behind its own prefix. Unlisted -er verbs are regular
with their spelling changes detected from the stem; unlisted -ir verbs conjugate like finir, unlisted
-re verbs like rendre; unlisted -oir verbs are refused.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterator

__all__ = ["VerbForm", "MorphologyError", "expand_verb", "is_known_irregular", "TENSES"]


class MorphologyError(ValueError):
    """A lemma that cannot be conjugated; the message says why."""


@dataclass(frozen=True)
class VerbForm:
    """One surface form of a verb lemma."""

    form: str
    lemma: str
    tense: str


#: Every tense tag `expand_verb` can produce.
TENSES: tuple[str, ...] = (
    "present", "imperfect", "simple_past", "future", "conditional", "subjunctive_present",
    "imperative", "infinitive", "present_participle", "past_participle",
    "passe_compose", "plus_que_parfait", "future_perfect", "conditional_perfect",
    "subjunctive_past", "past_infinitive",
)

# A paradigm maps a tense to its slots; a slot is a tuple of spelling alternatives (possibly
# empty for a defective slot). Person tenses have 6 slots (1sg 2sg 3sg 1pl 2pl 3pl), the
# imperative 3 (2sg 1pl 2pl), infinitive and present participle 1, the past participle 4
# (masc sg, fem sg, masc pl, fem pl).
Slot = tuple[str, ...]
Paradigm = dict[str, tuple[Slot, ...]]

PERSON_TENSES = ("present", "imperfect", "simple_past", "future", "conditional", "subjunctive_present")
COMPOUND_TENSES = (  # compound tense, tense of its auxiliary
    ("passe_compose", "present"),
    ("plus_que_parfait", "imperfect"),
    ("future_perfect", "future"),
    ("conditional_perfect", "conditional"),
    ("subjunctive_past", "subjunctive_present"),
)

# ---------------------------------------------------------------------------------------------
# Endings
# ---------------------------------------------------------------------------------------------

_IMPERFECT_ENDINGS = ("ais", "ais", "ait", "ions", "iez", "aient")
_FUTURE_ENDINGS = ("ai", "as", "a", "ons", "ez", "ont")
_CONDITIONAL_ENDINGS = _IMPERFECT_ENDINGS
_SUBJUNCTIVE_ENDINGS = ("e", "es", "e", "ions", "iez", "ent")
_ER_PRESENT_ENDINGS = ("e", "es", "e", "ons", "ez", "ent")
_ER_IMPERATIVE_ENDINGS = ("e", "ons", "ez")
_SIMPLE_PAST_ENDINGS = {  # by vowel class
    "a": ("ai", "as", "a", "âmes", "âtes", "èrent"),
    "i": ("is", "is", "it", "îmes", "îtes", "irent"),
    "u": ("us", "us", "ut", "ûmes", "ûtes", "urent"),
    "û": ("ûs", "ûs", "ût", "ûmes", "ûtes", "ûrent"),
    "in": ("ins", "ins", "int", "înmes", "întes", "inrent"),
}
#: Persons whose ending is a mute e in the -er present/subjunctive: the stem takes its strong form.
_STRONG_PERSON = (True, True, True, False, False, True)

# ---------------------------------------------------------------------------------------------
# Irregular families
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Model:
    """A conjugation family, written as the forms of one example verb.

    `example` is "prefix|root": derived lemmas end with `root` and get the example's forms with
    their own prefix instead of the example's ("cr|aindre" -> plaindre = "pl" + "aindre").
    `present`, `subjunctive` and `imperative` are space-separated slots, `/` between spelling
    alternatives, `-` for a missing slot; `imperfect` and `future` are stems; `simple_past` is
    "stem:class" (class in `_SIMPLE_PAST_ENDINGS`) or six slots; `past_participle` is the masculine
    singular or four slots.
    """

    example: str
    present: str
    imperfect: str
    simple_past: str | None
    future: str
    past_participle: str
    subjunctive: str | None = None
    imperative: str | None = None  # "" = the verb has no imperative
    present_participle: str | None = None
    keys: tuple[str, ...] = ()  # lemma suffixes selecting this family; default: the example
    exact: bool = False  # keys only match the whole lemma (avoir, not savoir)
    impersonal: bool = False  # third person singular only
    optional_circumflex: bool = False  # also the 1990 spelling without î before t
    irregular: bool = True

    @property
    def prefix(self) -> str:
        return self.example.split("|")[0]

    @property
    def root(self) -> str:
        return self.example.split("|")[1]

    @property
    def lemma_keys(self) -> tuple[str, ...]:
        return self.keys or (self.example.replace("|", ""),)


def _m(example: str, present: str, *, impf: str, ps: str | None, fut: str, pp: str,
       subj: str | None = None, **kw: object) -> _Model:
    """Shorthand constructor keeping the tables below on few lines."""
    return _Model(example, present, impf, ps, fut, pp, subj, **kw)  # type: ignore[arg-type]


_FINIR = _m("fin|ir", "finis finis finit finissons finissez finissent", impf="finiss", ps="fin:i",
            fut="finir", pp="fini", keys=("répartir", "impartir", "assortir", "asservir"), irregular=False)
_RENDRE = _m("rend|re", "rends rends rend rendons rendez rendent", impf="rend", ps="rend:i",
             fut="rendr", pp="rendu", keys=("rendre",), irregular=False)
_ROMPRE = _m("romp|re", "romps romps rompt rompons rompez rompent", impf="romp", ps="romp:i",
             fut="rompr", pp="rompu", keys=("rompre",), irregular=False)

#: Short -ir verbs: the consonant before -ir drops in the singular present (je pars, il sert).
_SHORT_IR = ("partir", "sortir", "mentir", "sentir", "servir", "dormir")


def _short_ir(infinitive: str) -> _Model:
    stem, short = infinitive[:-2], infinitive[:-3]
    return _m("|" + infinitive, f"{short}s {short}s {short}t {stem}ons {stem}ez {stem}ent",
              impf=stem, ps=f"{stem}:i", fut=infinitive, pp=stem + "i")


_MODELS: tuple[_Model, ...] = (
    _FINIR, _RENDRE, _ROMPRE,
    *(_short_ir(v) for v in _SHORT_IR),
    # être, avoir, aller
    _m("|être", "suis es est sommes êtes sont", impf="ét", ps="f:u", fut="ser", pp="été",
       subj="sois sois soit soyons soyez soient", imperative="sois soyons soyez",
       present_participle="étant", exact=True),
    _m("|avoir", "ai as a avons avez ont", impf="av", ps="e:u", fut="aur", pp="eu",
       subj="aie aies ait ayons ayez aient", imperative="aie ayons ayez",
       present_participle="ayant", exact=True),
    _m("|aller", "vais vas va allons allez vont", impf="all", ps="all:a", fut="ir", pp="allé",
       subj="aille ailles aille allions alliez aillent", imperative="va allons allez", exact=True),
    # -re and -ire
    _m("|faire", "fais fais fait faisons faites font", impf="fais", ps="f:i", fut="fer", pp="fait",
       subj="fasse fasses fasse fassions fassiez fassent", imperative="fais faisons faites"),
    _m("|dire", "dis dis dit disons dites disent", impf="dis", ps="d:i", fut="dir", pp="dit"),
    _m("|dire", "dis dis dit disons disez disent", impf="dis", ps="d:i", fut="dir", pp="dit",
       keys=("interdire", "prédire", "contredire", "médire", "dédire")),
    _m("maud|ire", "maudis maudis maudit maudissons maudissez maudissent", impf="maudiss",
       ps="maud:i", fut="maudir", pp="maudit", keys=("maudire",)),
    _m("|prendre", "prends prends prend prenons prenez prennent", impf="pren", ps="pr:i",
       fut="prendr", pp="pris"),
    _m("|mettre", "mets mets met mettons mettez mettent", impf="mett", ps="m:i", fut="mettr", pp="mis"),
    _m("|battre", "bats bats bat battons battez battent", impf="batt", ps="batt:i", fut="battr",
       pp="battu"),
    _m("|vaincre", "vaincs vaincs vainc vainquons vainquez vainquent", impf="vainqu",
       ps="vainqu:i", fut="vaincr", pp="vaincu"),
    _m("conn|aître", "connais connais connaît connaissons connaissez connaissent", impf="connaiss",
       ps="conn:u", fut="connaîtr", pp="connu", keys=("aître", "connaître"), optional_circumflex=True),
    _m("n|aître", "nais nais naît naissons naissez naissent", impf="naiss", ps="naqu:i",
       fut="naîtr", pp="né", keys=("naître",), optional_circumflex=True),
    _m("|croître", "croîs croîs croît croissons croissez croissent", impf="croiss", ps="cr:û",
       fut="croîtr", pp="crû crue crus crues"),
    _m("ac|croître", "accrois accrois accroît accroissons accroissez accroissent", impf="accroiss",
       ps="accr:u", fut="accroîtr", pp="accru", keys=("accroître", "décroître"),
       optional_circumflex=True),
    _m("é|crire", "écris écris écrit écrivons écrivez écrivent", impf="écriv", ps="écriv:i",
       fut="écrir", pp="écrit", keys=("crire",)),
    _m("|lire", "lis lis lit lisons lisez lisent", impf="lis", ps="l:u", fut="lir", pp="lu"),
    _m("|rire", "ris ris rit rions riez rient", impf="ri", ps="r:i", fut="rir", pp="ri"),
    _m("|suffire", "suffis suffis suffit suffisons suffisez suffisent", impf="suffis", ps="suff:i",
       fut="suffir", pp="suffi"),
    _m("|croire", "crois crois croit croyons croyez croient", impf="croy", ps="cr:u", fut="croir",
       pp="cru"),
    _m("|boire", "bois bois boit buvons buvez boivent", impf="buv", ps="b:u", fut="boir", pp="bu"),
    _m("pl|aire", "plais plais plaît plaisons plaisez plaisent", impf="plais", ps="pl:u",
       fut="plair", pp="plu", keys=("plaire",), optional_circumflex=True),
    _m("t|aire", "tais tais tait taisons taisez taisent", impf="tais", ps="t:u", fut="tair", pp="tu",
       keys=("taire",)),
    _m("tr|aire", "trais trais trait trayons trayez traient", impf="tray", ps=None, fut="trair",
       pp="trait", keys=("traire",)),
    _m("condu|ire", "conduis conduis conduit conduisons conduisez conduisent", impf="conduis",
       ps="conduis:i", fut="conduir", pp="conduit", keys=("uire",)),
    _m("nu|ire", "nuis nuis nuit nuisons nuisez nuisent", impf="nuis", ps="nuis:i", fut="nuir",
       pp="nui", keys=("nuire", "luire")),
    _m("cr|aindre", "crains crains craint craignons craignez craignent", impf="craign",
       ps="craign:i", fut="craindr", pp="craint", keys=("aindre",)),
    _m("p|eindre", "peins peins peint peignons peignez peignent", impf="peign", ps="peign:i",
       fut="peindr", pp="peint", keys=("eindre",)),
    _m("j|oindre", "joins joins joint joignons joignez joignent", impf="joign", ps="joign:i",
       fut="joindr", pp="joint", keys=("oindre",)),
    _m("ré|soudre", "résous résous résout résolvons résolvez résolvent", impf="résolv",
       ps="résol:u", fut="résoudr", pp="résolu", keys=("résoudre",)),
    _m("dis|soudre", "dissous dissous dissout dissolvons dissolvez dissolvent", impf="dissolv",
       ps="dissol:u", fut="dissoudr", pp="dissous dissoute dissous dissoutes", keys=("soudre",)),
    _m("|coudre", "couds couds coud cousons cousez cousent", impf="cous", ps="cous:i",
       fut="coudr", pp="cousu"),
    _m("|moudre", "mouds mouds moud moulons moulez moulent", impf="moul", ps="moul:u",
       fut="moudr", pp="moulu"),
    _m("con|clure", "conclus conclus conclut concluons concluez concluent", impf="conclu",
       ps="concl:u", fut="conclur", pp="conclu", keys=("clure",)),
    _m("in|clure", "inclus inclus inclut incluons incluez incluent", impf="inclu", ps="incl:u",
       fut="inclur", pp="inclus", keys=("inclure", "occlure")),
    _m("|suivre", "suis suis suit suivons suivez suivent", impf="suiv", ps="suiv:i", fut="suivr",
       pp="suivi"),
    _m("|vivre", "vis vis vit vivons vivez vivent", impf="viv", ps="véc:u", fut="vivr", pp="vécu"),
    # -ir
    _m("t|enir", "tiens tiens tient tenons tenez tiennent", impf="ten", ps="t:in", fut="tiendr",
       pp="tenu", keys=("tenir", "venir")),
    _m("ou|vrir", "ouvre ouvres ouvre ouvrons ouvrez ouvrent", impf="ouvr", ps="ouvr:i",
       fut="ouvrir", pp="ouvert", keys=("vrir",)),
    _m("of|frir", "offre offres offre offrons offrez offrent", impf="offr", ps="offr:i",
       fut="offrir", pp="offert", keys=("frir",)),
    _m("|cueillir", "cueille cueilles cueille cueillons cueillez cueillent", impf="cueill",
       ps="cueill:i", fut="cueiller", pp="cueilli"),
    _m("as|saillir", "assaille assailles assaille assaillons assaillez assaillent", impf="assaill",
       ps="assaill:i", fut="assaillir", pp="assailli", keys=("assaillir", "tressaillir")),
    _m("|bouillir", "bous bous bout bouillons bouillez bouillent", impf="bouill", ps="bouill:i",
       fut="bouillir", pp="bouilli"),
    _m("|vêtir", "vêts vêts vêt vêtons vêtez vêtent", impf="vêt", ps="vêt:i", fut="vêtir", pp="vêtu"),
    _m("|mourir", "meurs meurs meurt mourons mourez meurent", impf="mour", ps="mour:u",
       fut="mourr", pp="mort"),
    _m("|courir", "cours cours court courons courez courent", impf="cour", ps="cour:u",
       fut="courr", pp="couru"),
    _m("ac|quérir", "acquiers acquiers acquiert acquérons acquérez acquièrent", impf="acquér",
       ps="acqu:i", fut="acquerr", pp="acquis", keys=("quérir",)),
    _m("|fuir", "fuis fuis fuit fuyons fuyez fuient", impf="fuy", ps="fu:i", fut="fuir", pp="fui"),
    _m("|haïr", "hais hais hait haïssons haïssez haïssent", impf="haïss",
       ps="haïs haïs haït haïmes haïtes haïrent", fut="haïr", pp="haï",
       imperative="hais haïssons haïssez"),
    # -oir
    _m("|voir", "vois vois voit voyons voyez voient", impf="voy", ps="v:i", fut="verr", pp="vu",
       keys=("voir", "revoir", "entrevoir"), exact=True),  # not pleuvoir
    _m("pré|voir", "prévois prévois prévoit prévoyons prévoyez prévoient", impf="prévoy",
       ps="prév:i", fut="prévoir", pp="prévu", keys=("prévoir",)),
    _m("pour|voir", "pourvois pourvois pourvoit pourvoyons pourvoyez pourvoient", impf="pourvoy",
       ps="pourv:u", fut="pourvoir", pp="pourvu", keys=("pourvoir",)),
    _m("|savoir", "sais sais sait savons savez savent", impf="sav", ps="s:u", fut="saur", pp="su",
       subj="sache saches sache sachions sachiez sachent", imperative="sache sachons sachez",
       present_participle="sachant"),
    _m("|vouloir", "veux veux veut voulons voulez veulent", impf="voul", ps="voul:u", fut="voudr",
       pp="voulu", subj="veuille veuilles veuille voulions vouliez veuillent",
       imperative="veuille veuillons veuillez"),
    _m("|pouvoir", "peux/puis peux peut pouvons pouvez peuvent", impf="pouv", ps="p:u",
       fut="pourr", pp="pu", subj="puisse puisses puisse puissions puissiez puissent", imperative=""),
    _m("|devoir", "dois dois doit devons devez doivent", impf="dev", ps="d:u", fut="devr",
       pp="dû due dus dues"),
    _m("re|cevoir", "reçois reçois reçoit recevons recevez reçoivent", impf="recev", ps="reç:u",
       fut="recevr", pp="reçu", keys=("cevoir",)),
    _m("|mouvoir", "meus meus meut mouvons mouvez meuvent", impf="mouv", ps="m:u", fut="mouvr",
       pp="mû mue mus mues"),
    _m("é|mouvoir", "émeus émeus émeut émouvons émouvez émeuvent", impf="émouv", ps="ém:u",
       fut="émouvr", pp="ému", keys=("émouvoir", "promouvoir")),
    _m("|valoir", "vaux vaux vaut valons valez valent", impf="val", ps="val:u", fut="vaudr",
       pp="valu", subj="vaille vailles vaille valions valiez vaillent"),
    _m("pré|valoir", "prévaux prévaux prévaut prévalons prévalez prévalent", impf="préval",
       ps="préval:u", fut="prévaudr", pp="prévalu", keys=("prévaloir",)),
    _m("|falloir", "- - faut - - -", impf="fall", ps="fall:u", fut="faudr", pp="fallu",
       subj="- - faille - - -", imperative="", impersonal=True),
    _m("|asseoir",
       "assieds/assois assieds/assois assied/assoit asseyons/assoyons asseyez/assoyez asseyent/assoient",
       impf="assey/assoy", ps="ass:i", fut="assiér/assoir", pp="assis",
       subj="asseye/assoie asseyes/assoies asseye/assoie asseyions/assoyions asseyiez/assoyiez "
            "asseyent/assoient"),
)

#: Lemmas conjugated with être (when not reflexive).
_ETRE_VERBS = frozenset({
    "aller", "venir", "revenir", "devenir", "redevenir", "intervenir", "parvenir", "survenir",
    "provenir", "advenir", "arriver", "partir", "repartir", "rester", "tomber", "retomber",
    "naître", "renaître", "mourir", "décéder",
})
#: Lemmas used with either auxiliary (il est sorti / il a sorti un livre).
_BOTH_AUX_VERBS = frozenset({
    "sortir", "ressortir", "monter", "remonter", "descendre", "redescendre", "passer", "repasser",
    "retourner", "rentrer", "entrer", "convenir", "apparaître", "disparaître", "accourir",
})
#: Past participles that never agree.
_INVARIABLE_PP = frozenset({
    "être", "pouvoir", "falloir", "rire", "sourire", "nuire", "luire", "reluire", "plaire",
    "déplaire", "complaire", "mentir", "suffire", "sembler", "paraître",
})
#: Verbs whose reflexive pronoun is often an indirect object, so the participle may not agree
#: ("elle s'est dit que", "ils se sont demandé si").
_INDIRECT_REFLEXIVE = frozenset({
    "dire", "demander", "promettre", "permettre", "parler", "téléphoner", "écrire", "répondre",
    "succéder", "ressembler", "sourire", "mentir", "nuire", "plaire", "imaginer", "jurer",
})
#: Causative heads of multiword lemmas: their participle stays invariable ("elle a fait savoir").
_CAUSATIVE_HEADS = frozenset({"faire", "laisser"})
#: Verbs starting with an aspirated h (no elision: "se hâter").
_ASPIRATED_H = frozenset({
    "haïr", "hâter", "hurler", "hausser", "heurter", "harceler", "hanter", "hacher", "hisser",
    "huer", "hérisser", "haleter", "hasarder", "harasser", "hocher", "houspiller", "hennir",
})

_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüÿœæ")
_LETTERS = "a-zàâäçéèêëîïôöùûüÿœæ"
_HEAD_RE = re.compile(f"[{_LETTERS}]+(?:-[{_LETTERS}]+)*")  # sous-entendre
_TAIL_RE = re.compile(f"[{_LETTERS}'-]+")

# ---------------------------------------------------------------------------------------------
# Building paradigms
# ---------------------------------------------------------------------------------------------


def _alternatives(text: str) -> Slot:
    return () if text == "-" else tuple(text.split("/"))


def _slots(text: str) -> tuple[Slot, ...]:
    return tuple(_alternatives(token) for token in text.split())


def _row(stems_by_person: tuple[Slot, ...], endings: tuple[str, ...]) -> tuple[Slot, ...]:
    return tuple(tuple(stem + ending for stem in stems) for stems, ending in zip(stems_by_person, endings))


def _stem_row(stems: Slot, endings: tuple[str, ...]) -> tuple[Slot, ...]:
    return _row((stems,) * len(endings), endings)


def _agreement(masculine: str) -> tuple[Slot, ...]:
    """Masculine singular participle -> (ms, fs, mp, fp)."""
    plural = masculine if masculine.endswith(("s", "x")) else masculine + "s"
    return (masculine,), (masculine + "e",), (plural,), (masculine + "es",)


def _past_participle(text: str) -> tuple[Slot, ...]:
    slots = _slots(text)
    return _agreement(slots[0][0]) if len(slots) == 1 else slots


def _simple_past(text: str | None) -> tuple[Slot, ...]:
    if text is None:
        return ((),) * 6
    if ":" in text:
        stem, vowel_class = text.split(":")
        return _stem_row(_alternatives(stem), _SIMPLE_PAST_ENDINGS[vowel_class])
    return _slots(text)


def _default_subjunctive(present: tuple[Slot, ...], imperfect: Slot) -> tuple[Slot, ...]:
    """Subjunctive from the 3pl present stem (sg, 3pl) and the imperfect stem (1pl, 2pl)."""
    strong = tuple(form[: -len("ent")] for form in present[5])
    stems = (strong, strong, strong, imperfect, imperfect, strong)
    return _row(stems, _SUBJUNCTIVE_ENDINGS)


def _default_imperative(present: tuple[Slot, ...]) -> tuple[Slot, ...]:
    """Imperative from the present; 2sg "-es" loses its s (ouvres -> ouvre)."""
    second = tuple(form[:-1] if form.endswith("es") else form for form in present[1])
    return second, present[3], present[4]


def _model_paradigm(model: _Model) -> Paradigm:
    """Full paradigm of a family's example verb."""
    present = _slots(model.present)
    imperfect = _alternatives(model.imperfect)
    future = _alternatives(model.future)
    paradigm: Paradigm = {
        "infinitive": ((model.example.replace("|", ""),),),
        "present": present,
        "imperfect": _stem_row(imperfect, _IMPERFECT_ENDINGS),
        "simple_past": _simple_past(model.simple_past),
        "future": _stem_row(future, _FUTURE_ENDINGS),
        "conditional": _stem_row(future, _CONDITIONAL_ENDINGS),
        "subjunctive_present": (_slots(model.subjunctive) if model.subjunctive
                                else _default_subjunctive(present, imperfect)),
        "imperative": (_slots(model.imperative) if model.imperative
                       else ((), (), ()) if model.imperative == ""
                       else _default_imperative(present)),
        "present_participle": ((_alternatives(model.present_participle) if model.present_participle
                                else tuple(stem + "ant" for stem in imperfect)),),
        "past_participle": _past_participle(model.past_participle),
    }
    if model.impersonal:
        for tense in PERSON_TENSES:
            paradigm[tense] = tuple(slot if person == 2 else () for person, slot in enumerate(paradigm[tense]))
        paradigm["present_participle"] = ((),)
    return paradigm


def _strip_prefix(paradigm: Paradigm, prefix: str) -> Paradigm:
    def strip(form: str) -> str:
        if not form.startswith(prefix):
            raise AssertionError(f"table error: {form!r} does not start with {prefix!r}")
        return form[len(prefix):]

    return {tense: tuple(tuple(strip(f) for f in slot) for slot in slots) for tense, slots in paradigm.items()}


def _add_prefix(paradigm: Paradigm, prefix: str, optional_circumflex: bool) -> Paradigm:
    def forms(slot: Slot) -> Slot:
        out = [prefix + form for form in slot]
        if optional_circumflex:
            out += [f.replace("aît", "ait").replace("oît", "oit") for f in out if "ît" in f]
        return tuple(out)

    return {tense: tuple(forms(slot) for slot in slots) for tense, slots in paradigm.items()}


def _build_index(models: tuple[_Model, ...]) -> dict[str, _Model]:
    """Lemma-suffix key -> family; checks that every key ends with its family's root."""
    index: dict[str, _Model] = {}
    for model in models:
        for key in model.lemma_keys:
            if not key.endswith(model.root) or key in index:
                raise AssertionError(f"table error: key {key!r} of {model.example!r}")
            index[key] = model
    return index


#: Family paradigms with the example prefix removed, ready to take a lemma's prefix.
_RELATIVE: dict[int, Paradigm] = {id(m): _strip_prefix(_model_paradigm(m), m.prefix) for m in _MODELS}
_INDEX: dict[str, _Model] = _build_index(_MODELS)


def _lookup(head: str) -> tuple[_Model, str] | None:
    """Family whose key is the longest suffix of `head`, and the lemma's prefix."""
    for start in range(len(head)):
        model = _INDEX.get(head[start:])
        if model is not None and (start == 0 or not model.exact):
            return model, head[: len(head) - len(model.root)]
    return None


# Regular -er verbs with spelling changes -----------------------------------------------------

#: The e/é of the last stem syllable that becomes è before a mute e (lève, répète, sèvre, lègue).
_CHANGEABLE_E = re.compile(r"(?<![eo])([eé])(ch|gn|gu|qu|[bcdfgptv][rl]|[bcdfgjklmnpqrstvz])$")
#: -eler/-eter verbs that double the consonant in every spelling (appelle, jette).
_DOUBLING_ONLY = ("appel", "jet")
#: -eler/-eter verbs that only take a grave accent (achète, gèle, martèle).
_GRAVE_ONLY = ("achet", "gel", "martel", "model", "cisel", "démantel", "écartel", "halet",
               "crochet", "furet", "corset", "décel", "recel")
_GRAVE_ONLY_EXACT = ("pel", "cel")


def _eler_eter_stems(stem: str, grave: str) -> tuple[str, ...]:
    """Strong stems of an -eler/-eter verb; others accept both spellings since 1990."""
    if stem.endswith(_DOUBLING_ONLY):
        return (stem + stem[-1],)
    if stem.endswith(_GRAVE_ONLY) or stem in _GRAVE_ONLY_EXACT:
        return (grave,)
    return (stem + stem[-1], grave)


def _er_stems(stem: str) -> tuple[Slot, Slot]:
    """(strong stems before a mute e, future stems) of a regular -er verb."""
    if stem.endswith("envoy"):
        return (stem[:-1] + "i",), (stem[:-5] + "enverr",)
    if stem.endswith(("oy", "uy")):
        return (stem[:-1] + "i",), (stem[:-1] + "ier",)
    if stem.endswith("ay"):
        return (stem[:-1] + "i", stem), (stem[:-1] + "ier", stem + "er")
    match = _CHANGEABLE_E.search(stem)
    if match is None:
        return (stem,), (stem + "er",)
    at = match.start(1)
    grave = stem[:at] + "è" + stem[at + 1:]
    if stem[at] == "é":  # répète, but répétera or répètera
        return (grave,), (stem + "er", grave + "er")
    if match.group(2) in ("l", "t"):
        strong = _eler_eter_stems(stem, grave)
        return strong, tuple(s + "er" for s in strong)
    return (grave,), (grave + "er",)


def _er_join(stem: str, ending: str) -> str:
    """Stem + ending, keeping c and g soft before a and o (annonçait, exigeons)."""
    if ending[0] in "aoâ":
        if stem.endswith("c"):
            return stem[:-1] + "ç" + ending
        if stem.endswith("g"):
            return stem + "e" + ending
    return stem + ending


def _er_row(stems_by_person: tuple[Slot, ...], endings: tuple[str, ...]) -> tuple[Slot, ...]:
    return tuple(tuple(_er_join(s, e) for s in stems) for stems, e in zip(stems_by_person, endings))


def _er_paradigm(head: str) -> Paradigm:
    """Paradigm of a regular -er verb (with -cer, -ger, e/é->è, -eler/-eter, -yer changes)."""
    stem = head[:-2]
    weak: Slot = (stem,)
    strong, future = _er_stems(stem)
    by_person = tuple(strong if is_strong else weak for is_strong in _STRONG_PERSON)
    return {
        "infinitive": ((head,),),
        "present": _er_row(by_person, _ER_PRESENT_ENDINGS),
        "imperfect": _er_row((weak,) * 6, _IMPERFECT_ENDINGS),
        "simple_past": _er_row((weak,) * 6, _SIMPLE_PAST_ENDINGS["a"]),
        "future": _stem_row(future, _FUTURE_ENDINGS),
        "conditional": _stem_row(future, _CONDITIONAL_ENDINGS),
        "subjunctive_present": _er_row(by_person, _SUBJUNCTIVE_ENDINGS),
        "imperative": _er_row((strong, weak, weak), _ER_IMPERATIVE_ENDINGS),
        "present_participle": ((_er_join(stem, "ant"),),),
        "past_participle": _agreement(stem + "é"),
    }


def _resolve(head: str) -> tuple[Paradigm, bool]:
    """(paradigm, is irregular) of a one-word verb."""
    found = _lookup(head)
    if found is not None:
        model, prefix = found
    elif head.endswith("er") and len(head) > 2:
        return _er_paradigm(head), head.endswith("envoyer")
    elif head.endswith("oir"):
        raise MorphologyError(f"{head!r}: irregular -oir verb missing from the conjugation tables")
    elif head.endswith("ir") and len(head) > 2:
        model, prefix = _FINIR, head[:-2]
    elif head.endswith("re") and len(head) > 2:
        model, prefix = (_RENDRE if head.endswith("dre") else _ROMPRE), head[:-2]
    else:
        raise MorphologyError(f"{head!r} is not a French infinitive (no -er, -ir, -re or -oir ending)")
    return _add_prefix(_RELATIVE[id(model)], prefix, model.optional_circumflex), model.irregular


@functools.lru_cache(maxsize=None)
def _resolve_cached(head: str) -> tuple[Paradigm, bool]:
    return _resolve(head)


# ---------------------------------------------------------------------------------------------
# Lemma parsing
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Lemma:
    text: str  # normalized lemma, as reported in VerbForm.lemma
    reflexive: bool
    clitic: str  # "", "en" or "y"
    head: str  # the conjugated word
    tail: str  # fixed words after the verb, "" or " savoir"
    aspirated_h: bool


def _normalize(lemma: str) -> str:
    text = unicodedata.normalize("NFC", lemma).lower()
    text = re.sub("[\u2019\u02bc\u2032`]", "'", text)
    return " ".join(text.split())


def _parse(lemma: str) -> _Lemma:
    text = _normalize(lemma)
    words = text.split(" ") if text else []
    reflexive = written_se = False
    if words and words[0] == "se":
        reflexive = written_se = True
        words = words[1:]
    elif words and words[0].startswith("s'"):
        reflexive = True
        words[0] = words[0][2:]
    clitic = ""
    if len(words) > 1 and words[0] in ("en", "y"):
        clitic = words.pop(0)
    if not words or not words[0]:
        raise MorphologyError(f"{lemma!r}: no verb in lemma")
    head, tail = words[0], words[1:]
    if not _HEAD_RE.fullmatch(head):
        raise MorphologyError(f"{lemma!r}: {head!r} is not a French infinitive")
    bad = [w for w in tail if not _TAIL_RE.fullmatch(w)]
    if bad:
        raise MorphologyError(f"{lemma!r}: unexpected characters in {bad[0]!r}")
    aspirated = head.startswith("h") and (head in _ASPIRATED_H or (written_se and not clitic))
    return _Lemma(text, reflexive, clitic, head, "".join(" " + w for w in tail), aspirated)


# ---------------------------------------------------------------------------------------------
# Surface forms
# ---------------------------------------------------------------------------------------------

_REFLEXIVE_PRONOUNS = ("me", "te", "se", "nous", "vous", "se")
_ELIDING = frozenset({"me", "te", "se"})
_INVERTED_PRONOUNS = {2: ("il", "elle", "on"), 5: ("ils", "elles")}
_IMPERATIVE_PERSONS = (1, 3, 4)
_IMPERATIVE_REFLEXIVE = {1: "toi", 3: "nous", 4: "vous"}
#: Which participle slots (ms, fs, mp, fp) agree with each person or inverted pronoun under être.
_AGREEMENT_BY_PERSON = {0: (0, 1), 1: (0, 1), 2: (0, 1), 3: (2, 3), 4: (0, 1, 2, 3), 5: (2, 3)}
_AGREEMENT_BY_PRONOUN = {"il": (0,), "elle": (1,), "on": (0, 1, 2, 3), "ils": (2,), "elles": (3,)}


def _starts_with_vowel(word: str, aspirated_h: bool) -> bool:
    return word[0] in _VOWELS or (word[0] == "h" and not aspirated_h)


def _with_clitics(lem: _Lemma, person: int, word: str) -> str:
    """Put the person's reflexive pronoun and the en/y clitic before `word`, eliding me/te/se."""
    chain = ([_REFLEXIVE_PRONOUNS[person]] if lem.reflexive else []) + ([lem.clitic] if lem.clitic else [])
    for clitic in reversed(chain):
        if clitic in _ELIDING and _starts_with_vowel(word, lem.aspirated_h):
            word = clitic[0] + "'" + word
        else:
            word = clitic + " " + word
    return word


def _inversions(paradigm: Paradigm) -> dict[int, tuple[str, ...]]:
    """Inverted subject pronouns by person; impersonal verbs only take "il" (faut-il)."""
    if any(paradigm["present"][person] for person in (0, 1, 3, 4, 5)):
        return _INVERTED_PRONOUNS
    return {2: ("il",)}


def _invert(form: str, pronoun: str) -> str:
    """Inverted 3rd person: déclare-t-il, dit-il, ont-ils."""
    return form + ("-t-" if form[-1] in _VOWELS else "-") + pronoun


def _imperative_form(lem: _Lemma, slot_index: int, form: str) -> str:
    """Imperative with its clitics after the verb: inquiète-toi, prends-t'en, parles-en."""
    person = _IMPERATIVE_PERSONS[slot_index]
    if lem.reflexive:
        pronoun = _IMPERATIVE_REFLEXIVE[person]
        if lem.clitic:
            pronoun = ("t'" if person == 1 else pronoun + "-") + lem.clitic
        return f"{form}-{pronoun}{lem.tail}"
    if lem.clitic:  # parles-en, vas-y
        if person == 1 and form[-1] in "ae":
            form += "s"
        return f"{form}-{lem.clitic}{lem.tail}"
    return form + lem.tail


def _simple_forms(lem: _Lemma, paradigm: Paradigm) -> Iterator[tuple[str, str]]:
    yield _with_clitics(lem, 2, paradigm["infinitive"][0][0]) + lem.tail, "infinitive"
    for tense in PERSON_TENSES:
        for person, slot in enumerate(paradigm[tense]):
            for form in slot:
                yield _with_clitics(lem, person, form) + lem.tail, tense
        for person, pronouns in _inversions(paradigm).items():
            for form in paradigm[tense][person]:
                for pronoun in pronouns:
                    yield _with_clitics(lem, person, _invert(form, pronoun)) + lem.tail, tense
    for index, slot in enumerate(paradigm["imperative"]):
        for form in slot:
            yield _imperative_form(lem, index, form), "imperative"
    for form in paradigm["present_participle"][0]:
        yield _with_clitics(lem, 2, form) + lem.tail, "present_participle"
    for slot in _participle_slots(lem, paradigm):
        for form in slot:
            yield form + lem.tail, "past_participle"


def _participle_slots(lem: _Lemma, paradigm: Paradigm) -> tuple[Slot, ...]:
    """(ms, fs, mp, fp) participles, empty where the participle cannot agree."""
    slots = paradigm["past_participle"]
    if lem.head in _INVARIABLE_PP or (lem.tail and lem.head in _CAUSATIVE_HEADS):
        return slots[0], (), (), ()
    return slots


def _auxiliaries(lem: _Lemma) -> tuple[str, ...]:
    if lem.reflexive or lem.head in _ETRE_VERBS:
        return ("être",)
    if lem.head in _BOTH_AUX_VERBS:
        return ("avoir", "être")
    return ("avoir",)


def _participles(lem: _Lemma, slots: tuple[Slot, ...], aux: str, agreeing: tuple[int, ...]) -> list[str]:
    """Participles to put after the auxiliary for a subject agreeing with `agreeing` slots."""
    wanted = agreeing if aux == "être" else (0,)
    if aux == "être" and lem.reflexive and lem.head in _INDIRECT_REFLEXIVE:
        wanted = (0, *agreeing)
    forms = [form for index in wanted for form in slots[index]]
    return list(dict.fromkeys(forms)) or list(slots[0])


def _compound_forms(lem: _Lemma, paradigm: Paradigm) -> Iterator[tuple[str, str]]:
    slots = _participle_slots(lem, paradigm)
    inversions = _inversions(paradigm)
    for aux in _auxiliaries(lem):
        aux_paradigm, _ = _resolve_cached(aux)
        for tense, aux_tense in COMPOUND_TENSES:
            for person, aux_slot in enumerate(aux_paradigm[aux_tense]):
                if not paradigm["present"][person]:
                    continue  # impersonal verbs: third person singular only
                for aux_form in aux_slot:
                    head = _with_clitics(lem, person, aux_form)
                    for participle in _participles(lem, slots, aux, _AGREEMENT_BY_PERSON[person]):
                        yield f"{head} {participle}{lem.tail}", tense
                for pronoun in inversions.get(person, ()):
                    for aux_form in aux_slot:
                        head = _with_clitics(lem, person, _invert(aux_form, pronoun))
                        for participle in _participles(lem, slots, aux, _AGREEMENT_BY_PRONOUN[pronoun]):
                            yield f"{head} {participle}{lem.tail}", tense
        infinitive = _with_clitics(lem, 2, aux)
        for participle in _participles(lem, slots, aux, (0, 1, 2, 3)):
            yield f"{infinitive} {participle}{lem.tail}", "past_infinitive"


@functools.lru_cache(maxsize=4096)
def _expand(lemma: str) -> tuple[VerbForm, ...]:
    lem = _parse(lemma)
    paradigm, _ = _resolve_cached(lem.head)
    seen: dict[tuple[str, str], None] = {}
    for pair in _simple_forms(lem, paradigm):
        seen.setdefault(pair)
    for pair in _compound_forms(lem, paradigm):
        seen.setdefault(pair)
    return tuple(VerbForm(form, lem.text, tense) for form, tense in seen)


def expand_verb(lemma: str) -> list[VerbForm]:
    """Every surface form of a French verb lemma a news text uses (deterministic, no duplicate (form, tense))."""
    return list(_expand(lemma))


# The result is memoised by `_expand` (a fresh list is returned so callers may mutate it);
# expose the cache controls on the public function like functools.lru_cache would.
expand_verb.cache_info = _expand.cache_info  # type: ignore[attr-defined]
expand_verb.cache_clear = _expand.cache_clear  # type: ignore[attr-defined]


def is_known_irregular(lemma: str) -> bool:
    """True when the lemma's verb is conjugated from an irregular table (dire, venir, envoyer...)."""
    try:
        return _resolve_cached(_parse(lemma).head)[1]
    except MorphologyError:
        return False
