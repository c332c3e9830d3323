"""Words of a medication string: normalising, tokens, the words that are never a drug name,
the route words, and splitting a pasted list into entries.

Every regular expression here is linear in its input (no nested or overlapping repeats), and
an entry longer than ``MAX_NAME_CHARS`` is never tokenised at all: a 10 MB "name" costs one
length check.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from core.models import Route

__all__ = [
    "COMBINATION_HINTS",
    "IGNORABLE",
    "MAX_NAME_CHARS",
    "SALT_WORDS",
    "STRENGTH_WORDS",
    "ascii_lower",
    "insignificant",
    "is_number",
    "is_separator",
    "name_key",
    "route_of",
    "split_medication_list",
    "tokens",
]

MAX_NAME_CHARS: Final = 500

SEPARATOR_WORDS: Final = frozenset({"and", "with", "w"})
SEPARATOR_CHARS: Final = frozenset("/+&,;()[]-")

_ROUTES: Final = (
    "po os iv im sc sq subq subcut subcutaneous intramuscular intravenous inh inhaled inhalation "
    "neb nebulised nebulized nebuliser nebulizer pr sl sublingual buccal top topical topically "
    "oral orally mouth nasal intranasal nose nostril nostrils vaginal vaginally rectal rectally "
    "transdermal ophthalmic eye eyes ear ears otic td pv ng peg ivpb via route cutaneous skin "
    "mucosal intrauterine intravitreal intradermal dermal"
)
_FORMS: Final = (
    "tab tabs tablet tablets cap caps capsule capsules er xr xl sr cr la dr ec odt mr ir cd "
    "extended delayed modified sustained controlled immediate release released prolonged "
    "chewable chew dispersible effervescent soluble film films coated enteric liquid solution "
    "soln sol susp suspension syrup elixir cream gel gels ointment lotion spray sprays powder "
    "sachet sachets granules liquigel liquigels softgel softgels gelcap gelcaps caplet caplets "
    "lozenge lozenges hfa mdi dpi diskus ellipta turbuhaler respimat handihaler breezhaler "
    "spiromax accuhaler evohaler easyhaler nexthaler genuair inhaler inhalers puff puffs "
    "actuation actuations act actuat dose doses unit units unt strength ds ss plain regular "
    "generic brand extra maximum max junior adult adults pediatric paediatric infant drop drops "
    "patch patches injection injections inj injectable pen pens syringe syringes prefilled vial "
    "vials ampoule ampoules amp infusion flush kit pack packet bottle supply metered system "
    "systems ring implant disintegrating orally auto injector cartridge foam shampoo suppository "
    "suppositories enema insert pad pads wash rinse mouthwash toothpaste paste emulsion "
    "concentrate reconstituted topical conventional abuse deterrent sprinkle pellet wafer "
    "chewing gum bar soap medicated drug emulgel emollient dry troche jelly irrigation "
    "douche urethral granule beads strip stick swab dressing cloth liniment tincture inhalant "
    "intravesical intrathecal epidural reconstitution rectal vaginal device"
)
_FREQUENCIES: Final = (
    "qd od om on daily once twice thrice bid bd tid tds qid qds qhs hs qam qpm qod qad prn stat "
    "nightly "
    "night nights nocte mane morning mornings evening evenings bedtime weekly week weeks monthly "
    "month months day days hourly hour hours hr hrs h min mins minute minutes alternate "
    "every other each per times time sig"
)
_UNITS: Final = (
    "mg mcg ug g gm gram grams milligram milligrams microgram micrograms ml millilitre "
    "milliliter millilitres milliliters l litre liter iu meq mmol mol kg"
)
_STOPWORDS: Final = (
    "a an the as needed required directed at in on of for to from or then up when if before "
    "after meals meal food breakfast lunch dinner supper take takes taking took use uses using "
    "used apply inject inhale pt patient rx otc med meds medication medications medicine "
    "drugs vit current currently no not stopped started start stop since also only about approx "
    "approximately usual usually sometimes occasionally x by atc rxnorm snomed code ndc nda anda "
    "bla local formulary item product"
)
_SALTS: Final = (
    "sodium potassium calcium magnesium hydrochloride hcl hydrobromide besylate besilate "
    "mesylate mesilate maleate fumarate succinate tartrate citrate sulfate sulphate bisulfate "
    "bisulphate hemihydrate monohydrate dihydrate trihydrate anhydrous acetate phosphate "
    "etexilate medoxomil cilexetil erbumine arginine tosylate bromide dipropionate propionate "
    "furoate xinafoate trometamol tromethamine axetil disodium dipotassium pivoxil proxetil "
    "hyclate lysine valerate gluconate chloride salt base bitartrate"
)
# Strength words that follow a brand and never name a drug of their own ("Marevan Forte",
# "Sintrom Mitis"); they are ignored, never matched by spelling (Forte is not Forteo).
_STRENGTH: Final = "forte mite mitis retard depot"
# Words that usually mean "plus a diuretic" in a brand ("Losartan Comp", "Enalapril Plus"): never
# matched by spelling, and, when no known brand accounts for them, kept as an unresolved part so
# that a second ingredient is never lost without a word.
COMBINATION_HINTS: Final = frozenset({"comp", "plus", "co"})

STRENGTH_WORDS: Final = frozenset(_STRENGTH.split())
IGNORABLE: Final = frozenset(
    " ".join((_ROUTES, _FORMS, _FREQUENCIES, _UNITS, _STOPWORDS, _STRENGTH)).split()
)
SALT_WORDS: Final = frozenset(_SALTS.split())

# Letters whose following number is part of the name (MK-7, vitamin K 2, menaquinone-4).
_VITAMERS: Final[dict[str, frozenset[str]]] = {
    "mk": frozenset({"4", "7"}),
    "k": frozenset({"1", "2"}),
    "menaquinone": frozenset({"4", "7"}),
}
_TOKEN_RE: Final = re.compile(r"\d+(?:[.,]\d+)*[a-z%]*|[a-z][a-z0-9]*|[/+&,;()\[\]-]")
ATC_RE: Final = re.compile(r"^[a-z]\d\d(?:[a-z](?:[a-z](?:\d\d)?)?)?$")
_NOISE_RE: Final = re.compile(r"^(?:q\d+[a-z]?|x\d+|\d+x|a?nda\d+|bla\d+)$")
_DOTTED_ABBR_RE: Final = re.compile(r"\b(?:[a-z]\.){2,}")
# A letter run of three or more directly followed by a digit ("warfarin5mg"): a fixed-width
# look-behind, so a long run of letters is scanned once (the old "([a-z]{3,})(\d)" was
# quadratic on it).
_LETTER_DIGIT_RE: Final = re.compile(r"(?<=[a-z]{3})(?=\d)")


def ascii_lower(text: str) -> str:
    """Lower-case ASCII: accents dropped, micro sign as 'u', dotted abbreviations joined."""
    text = text.replace("µ", "u").replace("μ", "u")
    text = unicodedata.normalize("NFKD", text)
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("'", "").replace("`", "")
    text = _DOTTED_ABBR_RE.sub(lambda m: m.group(0).replace(".", "") + " ", text)
    return _LETTER_DIGIT_RE.sub(" ", text)


def tokens(text: str) -> list[str]:
    """Tokens of a medication string: words, numbers and separator characters."""
    raw = _TOKEN_RE.findall(ascii_lower(text))
    out: list[str] = []
    i = 0
    while i < len(raw):
        tok = raw[i]
        # "MK-7", "mk 7", "vitamin K 2", "K-2": join the vitamer number onto its letters.
        if tok in _VITAMERS and i + 1 < len(raw):
            j = i + 1
            if raw[j] == "-" and j + 1 < len(raw):
                j += 1
            nxt = raw[j]
            if nxt in _VITAMERS[tok]:
                out.append(tok + nxt)
                i = j + 1
                continue
        out.append(tok)
        i += 1
    return out


def is_number(tok: str) -> bool:
    """A dose or count: numbers are never part of a drug name."""
    return tok[0].isdigit()


def is_separator(tok: str) -> bool:
    """A character or word that separates ingredients ('/', '+', 'and', 'with')."""
    return tok in SEPARATOR_CHARS or tok in SEPARATOR_WORDS


def is_noise(tok: str) -> bool:
    """A token shaped like a frequency, count, application number or ATC code."""
    return _NOISE_RE.match(tok) is not None or ATC_RE.match(tok) is not None


def insignificant(tok: str) -> bool:
    """A word that is never a drug name on its own: dose, route, form, frequency, salt, filler."""
    return tok in IGNORABLE or tok in SALT_WORDS or is_noise(tok)


def name_key(name: str) -> str:
    """The index key of a name: its words, lower-case, separators and numbers dropped."""
    return " ".join(t for t in tokens(name) if not is_separator(t) and not is_number(t))


# --- routes -------------------------------------------------------------------------------------

# Words that state a route outright, and form words that imply one when nothing states it.
_ROUTE_WORDS: Final[dict[str, Route]] = {
    **dict.fromkeys(("ophthalmic", "eye", "eyes", "intravitreal"), "ophthalmic"),
    **dict.fromkeys(("otic", "ear", "ears"), "otic"),
    **dict.fromkeys(("nasal", "intranasal", "nose", "nostril", "nostrils"), "nasal"),
    **dict.fromkeys(("vaginal", "vaginally", "pv"), "vaginal"),
    **dict.fromkeys(("transdermal", "td"), "transdermal"),
    **dict.fromkeys(
        ("topical", "topically", "top", "cutaneous", "skin", "dermal", "shampoo"), "topical"
    ),
    **dict.fromkeys(
        ("inhaled", "inhalation", "inh", "neb", "nebulised", "nebulized", "nebuliser", "nebulizer"),
        "inhaled",
    ),
    **dict.fromkeys(
        (
            "iv",
            "im",
            "sc",
            "sq",
            "subq",
            "subcut",
            "subcutaneous",
            "intramuscular",
            "intravenous",
            "ivpb",
            "intradermal",
            "injection",
            "injections",
            "inj",
            "injectable",
            "infusion",
        ),
        "injection",
    ),
    **dict.fromkeys(
        ("po", "os", "oral", "orally", "mouth", "sublingual", "sl", "buccal"),
        "oral",
    ),
}
_FORM_ROUTE_WORDS: Final[dict[str, Route]] = {
    **dict.fromkeys(
        ("cream", "ointment", "lotion", "foam", "gel", "gels", "emulgel", "emollient"), "topical"
    ),
    **dict.fromkeys(("patch", "patches"), "transdermal"),
    **dict.fromkeys(
        (
            "inhaler",
            "inhalers",
            "hfa",
            "mdi",
            "dpi",
            "diskus",
            "ellipta",
            "turbuhaler",
            "respimat",
            "handihaler",
            "breezhaler",
            "spiromax",
            "accuhaler",
            "evohaler",
            "easyhaler",
            "nexthaler",
            "genuair",
            "puff",
            "puffs",
        ),
        "inhaled",
    ),
    **dict.fromkeys(
        ("syringe", "syringes", "prefilled", "vial", "vials", "ampoule", "ampoules", "injector"),
        "injection",
    ),
    **dict.fromkeys(
        (
            "tab",
            "tabs",
            "tablet",
            "tablets",
            "cap",
            "caps",
            "capsule",
            "capsules",
            "caplet",
            "caplets",
            "syrup",
            "elixir",
            "odt",
            "chewable",
            "softgel",
            "softgels",
            "lozenge",
            "lozenges",
            "sachet",
            "sachets",
            "troche",
            "gum",
            "chewing",
        ),
        "oral",
    ),
}


def route_of(words: list[str]) -> Route | None:
    """The route the words of an entry state ("eye drops", "Vaginal Ring", "oral tablet").

    A stated route ("eye", "topical", "nasal") wins over a form word that only implies one
    ("gel", "patch", "tablet"). Two different stated routes give None: nothing is assumed.
    """
    stated = {_ROUTE_WORDS[w] for w in words if w in _ROUTE_WORDS}
    # "Oral Gel", "topical patch": a stated route wins over the form word.
    if len(stated) == 1:
        return next(iter(stated))
    if len(stated) > 1:
        # "Metered Dose Inhaler ... Oral": the inhaler's route is what reaches the patient.
        local = stated - {"oral"}
        return next(iter(local)) if len(local) == 1 else None
    implied = {_FORM_ROUTE_WORDS[w] for w in words if w in _FORM_ROUTE_WORDS}
    if len(implied) == 1:
        return next(iter(implied))
    return None


# --- splitting a pasted list --------------------------------------------------------------------

# Every leading bullet and number at once ("1. - warfarin"): one pass, linear in the line.
_BULLET_RE: Final = re.compile(
    r"^\s*(?:(?:[-*•·‣◦▪●–—>]+|\(?\d{1,3}[.)](?=\s)|\(?[a-zA-Z][.)](?=\s)|#\d+)\s*)+"
)
# Lines end at \n, \r\n or \r only. U+2028, U+2029, U+0085, VT and FF are spaces inside an
# entry: a name pasted from a word processor must not become several medications.
_LIST_SPLIT_RE: Final = re.compile(r"[\n\r;]+|,(?!\d{3}(?!\d))|(?<!\d),")
_ODD_SPACE_RE: Final = re.compile("[\u2028\u2029\u0085\x0b\x0c\x1c\x1d\x1e]")
_HEADING_RE: Final = re.compile(
    r"^(?:current |home |active |regular |repeat )?"
    r"(?:medications?|meds|medicines|drugs?|drug list|medication list|rx)\s*:?$",
    re.IGNORECASE,
)


def split_lines(text: str) -> list[str]:
    """Physical lines at \\n, \\r\\n or \\r only (``str.splitlines`` also splits at U+2028)."""
    return re.split(r"\r\n|\r|\n", text)


def split_medication_list(text: str) -> list[str]:
    """Split a pasted list into one string per medication.

    Entries are separated by new lines, semicolons or commas (a comma inside a number such as
    ``1,000 mg`` is kept). Bullets and numbering are stripped, blank lines and a heading such as
    ``Medications:`` are dropped. Combination notation (``lisinopril/HCTZ 20/12.5``,
    ``amlodipine-benazepril``) stays one entry. Unicode line and paragraph separators are
    spaces, not entry breaks.
    """
    items: list[str] = []
    for part in _LIST_SPLIT_RE.split(_ODD_SPACE_RE.sub(" ", text)):
        item = _BULLET_RE.sub("", part.strip(), count=1).strip()
        item = " ".join(item.split())
        if item and not _HEADING_RE.match(item):
            items.append(item)
    return items
