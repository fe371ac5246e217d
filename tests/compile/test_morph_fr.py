"""Tests for ruleie.compile.morph_fr: French verb forms, the reporting-verb lexicon, invariants."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruleie.compile.morph_fr import TENSES, MorphologyError, VerbForm, expand_verb, is_known_irregular

LEXICON = Path(__file__).resolve().parents[2] / "rules" / "fr" / "lexicons" / "reporting_verbs.txt"


def forms(lemma: str) -> set[str]:
    return {vf.form for vf in expand_verb(lemma)}


def pairs(lemma: str) -> set[tuple[str, str]]:
    return {(vf.form, vf.tense) for vf in expand_verb(lemma)}


def lexicon_lemmas() -> list[str]:
    entries = (line.split("#", 1)[0].strip() for line in LEXICON.read_text(encoding="utf-8").splitlines())
    return [entry for entry in entries if entry]


# --- déclarer, dire ----------------------------------------------------------------------------

DECLARER = [
    "a déclaré", "déclarait", "déclara", "avait déclaré", "déclare-t-il", "ont déclaré", "déclarèrent",
    "déclarant", "déclarera", "déclarerait", "déclarée", "a-t-il déclaré", "avait-elle déclaré",
    "déclarait-il", "déclara-t-il", "déclarent-ils",
]


@pytest.mark.parametrize("form", DECLARER)
def test_declarer_forms(form: str) -> None:
    assert form in forms("déclarer")


@pytest.mark.parametrize("form", ["déclare-il", "déclarait-t-il", "il déclare", "déclaré-t-il", "a-il déclaré"])
def test_declarer_never_yields(form: str) -> None:
    assert form not in forms("déclarer")


DIRE = ["a dit", "dit-il", "disait", "dirent", "dites", "disent", "dira", "dirait", "dise", "disant", "dit-elle", "avait dit"]


@pytest.mark.parametrize("form", DIRE)
def test_dire_forms(form: str) -> None:
    assert form in forms("dire")


def test_interdire_has_disez_not_dites() -> None:
    assert "interdisez" in forms("interdire")
    assert "interdites" not in {vf.form for vf in expand_verb("interdire") if vf.tense == "present"}
    assert ("interdites", "present") not in pairs("interdire")
    assert ("redites", "present") in pairs("redire")


# --- irregular verbs and spelling-change groups -------------------------------------------------

TRIPLES = [
    # -cer, -ger
    ("annoncer", "annonçait", "imperfect"),
    ("annoncer", "annonçons", "present"),
    ("annoncer", "annonça", "simple_past"),
    ("annoncer", "annoncèrent", "simple_past"),
    ("annoncer", "annonçant", "present_participle"),
    ("annoncer", "annonce", "imperative"),
    ("exiger", "exigeait", "imperfect"),
    ("exiger", "exigeons", "present"),
    ("exiger", "exigeâmes", "simple_past"),
    # e -> è
    ("lever", "lève", "present"),
    ("lever", "lèvera", "future"),
    ("soulever", "soulèvent", "present"),
    ("achever", "achèverait", "conditional"),
    ("semer", "sème", "subjunctive_present"),
    # é -> è, both spellings in the future
    ("répéter", "répète", "present"),
    ("répéter", "répétera", "future"),
    ("répéter", "répètera", "future"),
    ("suggérer", "suggère", "present"),
    ("considérer", "considèrent", "present"),
    ("révéler", "révèle", "present"),
    ("réitérer", "réitère-t-il", "present"),
    ("préférer", "préférons", "present"),
    ("protéger", "protège", "present"),
    ("protéger", "protégeait", "imperfect"),
    # -eler / -eter
    ("appeler", "appelle", "present"),
    ("appeler", "appellera", "future"),
    ("appeler", "appelons", "present"),
    ("rappeler", "rappelle-t-il", "present"),
    ("jeter", "jette", "present"),
    ("acheter", "achète", "present"),
    ("geler", "gèle", "present"),
    ("marteler", "martèle", "present"),
    ("marteler", "a martelé", "passe_compose"),
    # -yer
    ("employer", "emploie", "present"),
    ("employer", "emploiera", "future"),
    ("essayer", "essaie", "present"),
    ("essayer", "essaye", "present"),
    ("payer", "paiera", "future"),
    ("payer", "payera", "future"),
    ("envoyer", "enverra", "future"),
    ("renvoyer", "renverrait", "conditional"),
    ("tweeter", "tweete", "present"),
    ("tweeter", "a tweeté", "passe_compose"),
    # finir type
    ("avertir", "avertissait", "imperfect"),
    ("avertir", "averti", "past_participle"),
    ("réagir", "réagit-il", "present"),
    ("garantir", "garantissent", "present"),
    # dire family, faire
    ("redire", "redites", "present"),
    ("prédire", "prédisez", "present"),
    ("contredire", "contredisez", "imperative"),
    ("médire", "médisez", "present"),
    ("faire", "font", "present"),
    ("faire", "fasse", "subjunctive_present"),
    ("faire", "fera", "future"),
    ("refaire", "refaites", "present"),
    # prendre, mettre
    ("prendre", "prennent", "present"),
    ("prendre", "prend-il", "present"),
    ("prendre", "prit", "simple_past"),
    ("reprendre", "a repris", "passe_compose"),
    ("apprendre", "apprenait", "imperfect"),
    ("comprendre", "comprise", "past_participle"),
    ("surprendre", "surprendra", "future"),
    ("admettre", "admet", "present"),
    ("promettre", "promit", "simple_past"),
    ("permettre", "permettra", "future"),
    ("soumettre", "soumis", "past_participle"),
    ("émettre", "émettent", "present"),
    ("transmettre", "a transmis", "passe_compose"),
    ("commettre", "commettait", "imperfect"),
    # tenir, venir
    ("soutenir", "soutient", "present"),
    ("soutenir", "a soutenu", "passe_compose"),
    ("maintenir", "maintiendra", "future"),
    ("retenir", "retint", "simple_past"),
    ("obtenir", "obtinrent", "simple_past"),
    ("détenir", "détienne", "subjunctive_present"),
    ("appartenir", "appartient", "present"),
    ("venir", "est venu", "passe_compose"),
    ("convenir", "a convenu", "passe_compose"),
    ("convenir", "convient-il", "present"),
    ("prévenir", "a prévenu", "passe_compose"),
    ("prévenir", "prévient-elle", "present"),
    ("intervenir", "est intervenu", "passe_compose"),
    ("intervenir", "est-elle intervenue", "passe_compose"),
    ("revenir", "sont revenus", "passe_compose"),
    ("revenir", "était revenue", "plus_que_parfait"),
    ("se souvenir", "se souvient", "present"),
    ("se souvenir", "s'est souvenu", "passe_compose"),
    # -aître, -oître
    ("connaître", "connaît", "present"),
    ("connaître", "connait", "present"),
    ("reconnaître", "reconnaît", "present"),
    ("reconnaître", "reconnait", "present"),
    ("reconnaître", "reconnaît-il", "present"),
    ("reconnaître", "a reconnu", "passe_compose"),
    ("reconnaître", "reconnaissait", "imperfect"),
    ("méconnaître", "méconnaissent", "present"),
    ("accroître", "accroît", "present"),
    ("accroître", "accru", "past_participle"),
    ("accroître", "accrut", "simple_past"),
    ("paraître", "paraît", "present"),
    ("paraître", "parut", "simple_past"),
    ("apparaître", "apparaissait", "imperfect"),
    ("naître", "est né", "passe_compose"),
    ("naître", "naquit", "simple_past"),
    # écrire, lire, croire, voir
    ("écrire", "écrivait", "imperfect"),
    ("écrire", "écrit-il", "present"),
    ("décrire", "décrivent", "present"),
    ("inscrire", "inscrivit", "simple_past"),
    ("souscrire", "souscrit", "past_participle"),
    ("prescrire", "prescrira", "future"),
    ("récrire", "récrivons", "present"),
    ("lire", "lut", "simple_past"),
    ("élire", "a élu", "passe_compose"),
    ("relire", "relisait", "imperfect"),
    ("croire", "croyait", "imperfect"),
    ("croire", "croit-il", "present"),
    ("croire", "crurent", "simple_past"),
    ("voir", "verra", "future"),
    ("voir", "vit", "simple_past"),
    ("revoir", "reverrait", "conditional"),
    ("entrevoir", "entrevoit", "present"),
    ("prévoir", "prévoira", "future"),
    ("prévoir", "prévoit-il", "present"),
    # modal verbs
    ("savoir", "sache", "subjunctive_present"),
    ("savoir", "saura", "future"),
    ("savoir", "sachant", "present_participle"),
    ("vouloir", "veulent", "present"),
    ("vouloir", "voudrait", "conditional"),
    ("vouloir", "veuille", "subjunctive_present"),
    ("pouvoir", "peut-il", "present"),
    ("pouvoir", "puis", "present"),
    ("pouvoir", "pourrait-elle", "conditional"),
    ("pouvoir", "puisse-t-il", "subjunctive_present"),
    ("devoir", "doivent", "present"),
    ("devoir", "dû", "past_participle"),
    ("devoir", "due", "past_participle"),
    # -ire, -ure, -ivre
    ("rire", "rit", "present"),
    ("sourire", "sourit-il", "present"),
    ("conclure", "conclut", "present"),
    ("conclure", "a conclu", "passe_compose"),
    ("exclure", "exclu", "past_participle"),
    ("inclure", "inclus", "past_participle"),
    ("inclure", "incluse", "past_participle"),
    ("suivre", "suivit", "simple_past"),
    ("poursuivre", "poursuit-il", "present"),
    ("poursuivre", "a poursuivi", "passe_compose"),
    ("vivre", "vécut", "simple_past"),
    # short -ir verbs
    ("mentir", "ment", "present"),
    ("démentir", "dément", "present"),
    ("démentir", "a démenti", "passe_compose"),
    ("sentir", "sent", "present"),
    ("pressentir", "pressent", "present"),
    ("ressentir", "ressentait", "imperfect"),
    ("partir", "est parti", "passe_compose"),
    ("sortir", "sort", "present"),
    ("servir", "sert", "present"),
    ("dormir", "dort", "present"),
    # -vrir, -frir
    ("ouvrir", "ouvert", "past_participle"),
    ("ouvrir", "ouvre", "imperative"),
    ("offrir", "offrit", "simple_past"),
    ("couvrir", "couvre", "present"),
    ("souffrir", "souffert", "past_participle"),
    ("découvrir", "a découvert", "passe_compose"),
    ("rouvrir", "rouvrira", "future"),
    # -indre
    ("craindre", "craint", "present"),
    ("craindre", "craignait", "imperfect"),
    ("plaindre", "plaint", "past_participle"),
    ("plaindre", "plaignait", "imperfect"),
    ("se plaindre", "se plaint", "present"),
    ("se plaindre", "s'est plainte", "passe_compose"),
    ("peindre", "peignent", "present"),
    ("joindre", "joignit", "simple_past"),
    ("rejoindre", "a rejoint", "passe_compose"),
    ("atteindre", "atteint", "present"),
    # others
    ("convaincre", "convainc", "present"),
    ("convaincre", "convainquait", "imperfect"),
    ("convaincre", "convainc-il", "present"),
    ("vaincre", "vaincu", "past_participle"),
    ("résoudre", "résolu", "past_participle"),
    ("résoudre", "résout", "present"),
    ("répondre", "répond", "present"),
    ("répondre", "répondit", "simple_past"),
    ("répondre", "répondu", "past_participle"),
    ("répondre", "répond-il", "present"),
    ("répondre", "a-t-il répondu", "passe_compose"),
    ("prétendre", "prétend", "present"),
    ("attendre", "attendait", "imperfect"),
    ("descendre", "est descendu", "passe_compose"),
    ("perdre", "perd", "present"),
    ("mourir", "meurt", "present"),
    ("mourir", "est mort", "passe_compose"),
    ("courir", "courra", "future"),
    ("recourir", "recourt", "present"),
    ("parcourir", "parcouru", "past_participle"),
    ("acquérir", "acquiert", "present"),
    ("acquérir", "acquis", "past_participle"),
    ("conquérir", "conquerra", "future"),
    ("s'enquérir", "s'enquiert", "present"),
    ("valoir", "vaut", "present"),
    ("valoir", "vaudra", "future"),
    ("valoir", "vaille", "subjunctive_present"),
    ("falloir", "faut-il", "present"),
    ("boire", "buvait", "imperfect"),
    ("boire", "boivent", "present"),
    ("battre", "bat", "present"),
    ("débattre", "a débattu", "passe_compose"),
    ("combattre", "combat", "present"),
    ("se battre", "se sont battus", "passe_compose"),
    ("cueillir", "cueillera", "future"),
    ("accueillir", "accueille", "present"),
    ("asseoir", "assied", "present"),
    ("s'asseoir", "s'assoit", "present"),
    ("s'asseoir", "s'est assise", "passe_compose"),
    ("aller", "va-t-il", "present"),
    ("aller", "ira", "future"),
    ("aller", "est allée", "passe_compose"),
    ("aller", "va", "imperative"),
    ("être", "est-il", "present"),
    ("être", "fut", "simple_past"),
    ("être", "a été", "passe_compose"),
    ("avoir", "a-t-il", "present"),
    ("avoir", "a eu", "passe_compose"),
    ("recevoir", "reçoit", "present"),
    ("recevoir", "reçu", "past_participle"),
    ("apercevoir", "aperçut", "simple_past"),
    ("concevoir", "conçoivent", "present"),
    ("décevoir", "déçue", "past_participle"),
    ("émouvoir", "émeut", "present"),
    ("émouvoir", "ému", "past_participle"),
    ("mouvoir", "mû", "past_participle"),
    ("plaire", "plaît", "present"),
    ("taire", "tait", "present"),
    ("se taire", "s'est tue", "passe_compose"),
    ("traduire", "traduit", "past_participle"),
    ("conduire", "conduisait", "imperfect"),
    ("produire", "produisit", "simple_past"),
    ("réduire", "réduira", "future"),
    ("introduire", "introduisent", "present"),
    ("construire", "construit", "present"),
    ("détruire", "a détruit", "passe_compose"),
    ("nuire", "a nui", "passe_compose"),
    ("coudre", "cousu", "past_participle"),
    ("moudre", "moulu", "past_participle"),
    ("haïr", "hait", "present"),
    ("haïr", "haïssons", "present"),
    ("fuir", "fuyait", "imperfect"),
    ("s'enfuir", "s'est enfui", "passe_compose"),
    ("s'enfuir", "s'enfuit", "present"),
    # imperative 2sg
    ("dire", "dis", "imperative"),
    ("faire", "fais", "imperative"),
    ("prendre", "prends", "imperative"),
    ("savoir", "sache", "imperative"),
]


@pytest.mark.parametrize(("lemma", "form", "tense"), TRIPLES)
def test_form_and_tense(lemma: str, form: str, tense: str) -> None:
    assert (form, tense) in pairs(lemma), f"{lemma}: missing {form!r} ({tense})"


NEGATIVES = [
    ("annoncer", "annoncait"),
    ("annoncer", "annoncons"),
    ("exiger", "exigait"),
    ("lever", "levera"),
    ("lever", "leve"),
    ("répéter", "répéte"),
    ("appeler", "appèle"),
    ("appeler", "appelera"),
    ("jeter", "jète"),
    ("acheter", "achette"),
    ("employer", "employe"),
    ("tweeter", "tweète"),
    ("envoyer", "envoiera"),
    ("dire", "disez"),
    ("faire", "faisez"),
    ("faire", "faisent"),
    ("prendre", "prendent"),
    ("prendre", "prendu"),
    ("mettre", "mettu"),
    ("tenir", "tenit"),
    ("venir", "a venu"),
    ("revenir", "a revenu"),
    ("intervenir", "a intervenu"),
    ("écrire", "écrivra"),
    ("écrire", "écriu"),
    ("voir", "voira"),
    ("prévoir", "prévera"),
    ("croire", "croyu"),
    ("conclure", "conclua"),
    ("craindre", "craindait"),
    ("convaincre", "convaincait"),
    ("répondre", "répondit-t-il"),
    ("répondre", "réponde-il"),
    ("partir", "partit-t-il"),
    ("partir", "a parti"),
    ("s'inquiéter", "inquiète"),
    ("s'inquiéter", "se inquiète"),
    ("s'inquiéter", "s'a inquiété"),
    ("s'inquiéter", "il s'inquiète"),
    ("se féliciter", "s'félicite"),
    ("se féliciter", "a félicité"),
    ("s'en prendre", "s'en a pris"),
    ("pouvoir", "peux-t-il"),
    ("falloir", "faut-elle"),
    ("falloir", "faudrons"),
    ("rire", "riu"),
    ("être", "étée"),
]


@pytest.mark.parametrize(("lemma", "form"), NEGATIVES)
def test_form_not_generated(lemma: str, form: str) -> None:
    assert form not in forms(lemma)


# --- reflexives and multiword lemmas ------------------------------------------------------------

REFLEXIVES = [
    ("s'inquiéter", ["s'inquiète", "s'est inquiétée", "se sont inquiétés", "s'inquiète-t-il", "s'est-il inquiété",
                     "s'inquiétant", "m'inquiète", "t'inquiètes", "nous inquiétons", "vous inquiétez",
                     "s'inquiéter", "s'être inquiété", "s'est-elle inquiétée", "se sont-elles inquiétées",
                     "s'inquiétera", "s'inquiètera", "s'était inquiété", "inquiète-toi"]),
    ("se féliciter", ["se félicite", "s'est félicité", "se félicitent", "nous félicitons", "vous félicitez",
                      "me félicite", "se féliciter", "se félicitant", "se félicite-t-elle", "se sont félicités"]),
    ("s'en prendre", ["s'en prend", "s'en est pris", "s'en sont pris", "s'en prenait", "s'en était prise",
                      "s'en prend-il", "s'en est-il pris", "m'en prends", "nous en prenons", "s'en prendre",
                      "s'en prenant"]),
    ("se dire", ["se dit", "se dit-il", "s'est dit", "s'est-elle dit", "s'est dite", "se disent"]),
    ("s'indigner", ["s'indigne", "s'est indignée", "s'indigne-t-il"]),
    ("se hâter", ["se hâte", "me hâte", "s'est hâté"]),
]


@pytest.mark.parametrize(("lemma", "expected"), REFLEXIVES)
def test_reflexive_forms(lemma: str, expected: list[str]) -> None:
    missing = [f for f in expected if f not in forms(lemma)]
    assert not missing, f"{lemma}: missing {missing}"


def test_reflexive_forms_carry_no_subject_pronoun_and_use_etre() -> None:
    for vf in expand_verb("se féliciter"):
        assert not vf.form.startswith(("je ", "tu ", "il ", "elle ", "on ", "ils ", "elles ")), vf
        assert " a " not in f" {vf.form} " and not vf.form.startswith(("ai ", "a-t-")), vf


def test_reflexive_participle_agreement() -> None:
    compound = {vf.form for vf in expand_verb("s'inquiéter") if vf.tense == "passe_compose"}
    assert {"s'est inquiété", "s'est inquiétée", "se sont inquiétés", "se sont inquiétées"} <= compound
    assert {"nous sommes inquiétés", "me suis inquiétée", "t'es inquiété"} <= compound
    assert "s'est inquiétés" not in compound
    assert "s'est-il inquiétée" not in compound


MULTIWORD = [
    ("faire savoir", ["a fait savoir", "fait-il savoir", "a-t-il fait savoir", "faisait savoir", "fera savoir",
                      "faire savoir", "avait-elle fait savoir", "font-ils savoir"]),
    ("laisser entendre", ["laissait entendre", "a laissé entendre", "laisse-t-il entendre"]),
    ("faire valoir", ["fait-il valoir", "a fait valoir"]),
    ("faire part", ["a fait part", "fait-elle part"]),
    ("mettre en garde", ["a mis en garde", "met-il en garde", "a-t-il mis en garde"]),
]


@pytest.mark.parametrize(("lemma", "expected"), MULTIWORD)
def test_multiword_lemmas(lemma: str, expected: list[str]) -> None:
    missing = [f for f in expected if f not in forms(lemma)]
    assert not missing, f"{lemma}: missing {missing}"


@pytest.mark.parametrize("lemma", ["rire", "sourire", "nuire", "plaire", "pouvoir", "être", "mentir"])
def test_invariable_participles(lemma: str) -> None:
    participles = [vf.form for vf in expand_verb(lemma) if vf.tense == "past_participle"]
    assert len(participles) == 1, participles


def test_causative_participle_is_invariable() -> None:
    assert "a faite savoir" not in forms("faire savoir")
    assert "fait-il savoirs" not in forms("faire savoir")


# --- inversion rules ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("lemma", "inverted"),
    [("dire", "dit-il"), ("répondre", "répond-il"), ("prendre", "prend-il"), ("ajouter", "ajoutait-il"),
     ("dire", "diront-ils"), ("estimer", "estiment-ils"), ("ajouter", "ajouta-t-il"), ("affirmer", "affirme-t-on"),
     ("dire", "avait-il dit"), ("affirmer", "ont-ils affirmé"), ("dire", "aurait-il dit"), ("aller", "va-t-elle"),
     ("dire", "dira-t-elle")],
)
def test_inversion(lemma: str, inverted: str) -> None:
    assert inverted in forms(lemma)


def test_inversion_inserts_t_exactly_after_vowels() -> None:
    for lemma in ("déclarer", "dire", "répondre", "faire", "aller", "s'inquiéter", "convaincre"):
        for vf in expand_verb(lemma):
            for head, sep, _ in (part.partition("-t-") for part in vf.form.split(" ")):
                if sep:
                    assert head[-1] in "ae", vf
            for word in vf.form.split(" "):
                for pronoun in ("-il", "-elle", "-on", "-ils", "-elles"):
                    if word.endswith(pronoun) and not word.endswith("-t" + pronoun):
                        assert word[: -len(pronoun)][-1] not in "aeiouéè", vf


def test_no_first_or_second_person_inversion() -> None:
    assert not any(vf.form.endswith(("-je", "-tu", "-nous", "-vous")) for vf in expand_verb("dire"))


# --- API contract -------------------------------------------------------------------------------

def test_verbform_fields() -> None:
    vf = expand_verb("Déclarer")[0]
    assert isinstance(vf, VerbForm)
    assert vf == VerbForm("déclarer", "déclarer", "infinitive")
    assert {vf.lemma for vf in expand_verb("S’inquiéter")} == {"s'inquiéter"}


def test_all_tense_tags_are_known_and_present() -> None:
    tenses = {vf.tense for vf in expand_verb("déclarer")}
    assert tenses == set(TENSES)
    assert "passive" not in TENSES


def test_deterministic_and_fresh_list() -> None:
    first = expand_verb("dire")
    first.clear()
    assert expand_verb("dire") == expand_verb("dire") != []


@pytest.mark.parametrize("bad", ["", "   ", "xyz", "table", "se", "déclar3r", "pleuvoir", "émoir", "s'en", "!dire"])
def test_morphology_error(bad: str) -> None:
    with pytest.raises(MorphologyError):
        expand_verb(bad)


def test_morphology_error_is_value_error_with_reason() -> None:
    with pytest.raises(ValueError, match="infinitive"):
        expand_verb("maison")


@pytest.mark.parametrize(
    ("lemma", "expected"),
    [("dire", True), ("faire savoir", True), ("s'en prendre", True), ("venir", True), ("envoyer", True),
     ("reconnaître", True), ("être", True), ("déclarer", False), ("annoncer", False), ("répéter", False),
     ("finir", False), ("répondre", False), ("s'inquiéter", False), ("zzz", False)],
)
def test_is_known_irregular(lemma: str, expected: bool) -> None:
    assert is_known_irregular(lemma) is expected


def test_unknown_verbs_follow_their_group() -> None:
    assert {"blablate", "blablatait", "a blablaté"} <= forms("blablater")
    assert {"vrombissait", "vrombit-il"} <= forms("vrombir")
    assert {"morfond", "morfondu"} <= forms("morfondre")


# --- the reporting-verb lexicon -----------------------------------------------------------------

def test_lexicon_size_and_exclusions() -> None:
    lemmas = lexicon_lemmas()
    assert len(set(lemmas)) >= 170
    assert len(lemmas) == len(set(lemmas)), "duplicate lemma in reporting_verbs.txt"
    assert "appeler" not in lemmas and "s'en prendre" not in lemmas
    required = {
        "déclarer", "affirmer", "annoncer", "dire", "estimer", "expliquer", "indiquer", "préciser", "souligner",
        "ajouter", "assurer", "lancer", "crier", "menacer", "rapporter", "répondre", "rétorquer", "reconnaître",
        "admettre", "nier", "démentir", "dénoncer", "promettre", "rappeler", "confirmer", "révéler", "avertir",
        "s'inquiéter", "se féliciter", "tweeter", "écrire", "raconter", "témoigner", "insister", "marteler",
        "prévenir", "juger", "considérer", "penser", "croire", "soutenir", "maintenir", "prétendre", "répéter",
        "réitérer", "ironiser", "plaider", "regretter", "déplorer", "s'indigner", "s'alarmer", "se réjouir",
        "se dire", "s'interroger", "s'emporter", "commenter", "observer", "noter", "relever", "signaler",
        "mentionner", "suggérer", "proposer", "exiger", "réclamer", "demander", "ordonner", "exhorter",
        "conclure", "résumer", "concéder", "avouer", "confier", "glisser", "souffler", "murmurer", "s'exclamer",
        "protester", "objecter", "contester", "rectifier", "corriger", "poursuivre", "enchaîner", "renchérir",
        "abonder", "nuancer", "tempérer", "trancher", "détailler", "énumérer", "publier", "communiquer",
        "faire savoir",
    }
    assert required <= set(lemmas), sorted(required - set(lemmas))


def test_every_lexicon_lemma_expands_quickly() -> None:
    lemmas = lexicon_lemmas()
    expand_verb.cache_clear()
    start = time.perf_counter()
    total = sum(len(expand_verb(lemma)) for lemma in lemmas)
    elapsed = time.perf_counter() - start
    assert total > 100 * len(lemmas)
    assert elapsed < 1.0, f"{len(lemmas)} lemmas took {elapsed:.2f}s"


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(lexicon_lemmas()))
def test_property_forms_are_clean_and_unique(lemma: str) -> None:
    result = expand_verb(lemma)
    assert result, lemma
    seen = set()
    for vf in result:
        assert vf.form == vf.form.lower(), vf
        assert "  " not in vf.form and vf.form == vf.form.strip(), vf
        assert "\u2019" not in vf.form, vf
        assert vf.tense in TENSES, vf
        assert vf.lemma == lemma, vf
        assert (vf.form, vf.tense) not in seen, vf
        seen.add((vf.form, vf.tense))
