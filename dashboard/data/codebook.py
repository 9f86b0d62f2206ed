"""The codebook: every variable's codes, Danish and English labels, question wording and routing.

Labels live here and nowhere else; the data hold only lower-case ASCII codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LANGS = ("da", "en")
ROUNDS = ("2018-2019", "2015-2016")
CURRENT_ROUND = "2018-2019"

SYNTHETIC_LABEL = {
    "da": "Syntetiske data kalibreret til offentliggjorte tal, ikke Danmarks Statistiks mikrodata",
    "en": "Synthetic data calibrated to published figures, not Danmarks Statistik microdata",
}

# Who was asked a question. Each routing names a rule in `routing_mask`.
ALL, INNOVATORS, TECH_INNOVATORS = "all", "innovators", "tech_innovators"
TECH_ROLES = ("solution", "important")  # tech_role answers that make an innovation technological


@dataclass(frozen=True)
class Variable:
    """One column of the data contract.

    kind is one of "id", "round", "code" (one of `codes`), "bool", "weight", "count" (a whole number
    >= 1), "text". asked_of is the routing: ALL, INNOVATORS or TECH_INNOVATORS; rounds lists the rounds
    in which it was asked (other rounds hold NA). An optional column may be left out of a file.
    """

    name: str
    kind: str
    label: dict[str, str]
    asked_of: str = ALL
    rounds: tuple[str, ...] = (CURRENT_ROUND,)
    codes: tuple[str, ...] = ()
    code_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    question: dict[str, str] = field(default_factory=dict)
    derived: bool = False
    optional: bool = False


def _codes(pairs: dict[str, tuple[str, str]]) -> tuple[tuple[str, ...], dict[str, dict[str, str]]]:
    """Return (codes, {code: {"da": ..., "en": ...}}) from {code: (da, en)}."""
    return tuple(pairs), {c: {"da": da, "en": en} for c, (da, en) in pairs.items()}


SECTORS, SECTOR_LABELS = _codes(
    {"state": ("Stat", "State"), "region": ("Region", "Region"), "municipality": ("Kommune", "Municipality")}
)

# Sub-sectors (DST-style groupings of the public sector) allowed in each sector.
INDUSTRIES, INDUSTRY_LABELS = _codes(
    {
        "admin": ("Administration", "Administration"),
        "education": ("Undervisning og forskning", "Education and research"),
        "health": ("Sundhed og hospitaler", "Health and hospitals"),
        "daycare": ("Dagtilbud", "Day care"),
        "eldercare": ("Ældrepleje", "Elderly care"),
        "social": ("Sociale institutioner", "Social institutions"),
        "other": ("Politi, forsvar, kultur og øvrige", "Police, defence, culture and other"),
    }
)
SECTOR_INDUSTRIES = {
    "state": ("admin", "education", "other"),
    "region": ("health", "social", "admin"),
    "municipality": ("education", "daycare", "eldercare", "social", "admin"),
}
SIZES, SIZE_LABELS = _codes(
    {"small": ("3-9 ansatte", "3-9 employees"), "medium": ("10-49 ansatte", "10-49 employees"),
     "large": ("50+ ansatte", "50+ employees")}
)

TECH_ROLE_CODES, TECH_ROLE_LABELS = _codes(
    {
        "solution": ("Innovationen er i sig selv en teknologisk løsning", "The innovation is itself a technological solution"),
        "important": ("Teknologi er en vigtig del af innovationen", "Technology is an important part of the innovation"),
        "minor": ("Teknologi er kun en mindre del af innovationen", "Technology is only a minor part of the innovation"),
        "none": ("Teknologi indgår slet ikke i innovationen", "Technology plays no part in the innovation"),
        "dont_know": ("Ved ikke", "Don't know"),
    }
)
TECH_GROUP_CODES, TECH_GROUP_LABELS = _codes(
    {
        "new_tech": ("Innovationer med ny teknologi", "Innovations with new technology"),
        "known_tech": ("Innovationer med kendt teknologi", "Innovations with known technology"),
        "non_tech": ("Ikke-teknologiske innovationer", "Non-technological innovations"),
    }
)
# Two-way split used by figures 4 and 8 (solution + important vs the rest).
TECH_SPLIT_CODES, TECH_SPLIT_LABELS = _codes(
    {"tech": ("Teknologiske innovationer", "Technological innovations"),
     "non_tech": ("Ikke-teknologiske innovationer", "Non-technological innovations")}
)
TECH_NEW_CODES, TECH_NEW_LABELS = _codes(
    {"new": ("Ny teknologi for arbejdspladsen", "Technology new to the workplace"),
     "known": ("Kendt teknologi brugt på en ny måde", "Known technology used in a new way"),
     "dont_know": ("Ved ikke", "Don't know")}
)
TECHNOLOGY_CODES, TECHNOLOGY_LABELS = _codes(
    {
        "ai": ("Kunstig intelligens", "Artificial intelligence"),
        "vr": ("Virtual reality", "Virtual reality"),
        "sensors": ("Sensorer", "Sensors"),
        "apps": ("Apps", "Apps"),
        "tablets": ("Tablets", "Tablets"),
        "social_media": ("Sociale medier", "Social media"),
        "robots": ("Robotteknologi", "Robotics"),
        "computers": ("Computere", "Computers"),
        "self_service": ("Digital selvbetjening", "Digital self-service"),
        "planning_tools": ("Planlægningsværktøjer", "Planning tools"),
        "other": ("Anden teknologi", "Other technology"),
    }
)
CURIOSITY_CODES, CURIOSITY_LABELS = _codes(
    {
        "agree_fully": ("Helt enig", "Fully agree"),
        "agree_partly": ("Delvist enig", "Partly agree"),
        "disagree_partly": ("Delvist uenig", "Partly disagree"),
        "disagree_fully": ("Helt uenig", "Fully disagree"),
        "dont_know": ("Ved ikke", "Don't know"),
        "not_relevant": ("Ikke relevant", "Not relevant"),
    }
)
NOVELTY_CODES, NOVELTY_LABELS = _codes(
    {
        "first": ("Først til at udvikle og indføre den", "First to develop and introduce it"),
        "adapted": ("Inspireret af andres løsninger, men tilpasset", "Inspired by others' solutions but adapted"),
        "copied": ("I vidt omfang en kopi af andres løsninger", "Largely a copy of others' solutions"),
        "dont_know": ("Ved ikke", "Don't know"),
    }
)
EMPLOYEES_ROLE_CODES, EMPLOYEES_ROLE_LABELS = _codes(
    {
        "promoted": ("Fremmede innovationen", "Promoted the innovation"),
        "hindered": ("Hæmmede innovationen", "Hindered the innovation"),
        "neither": ("Hverken eller", "Neither"),
        "dont_know": ("Ved ikke", "Don't know"),
        "not_relevant": ("Ikke relevant", "Not relevant"),
    }
)

VALUES = {
    "value_quality": ("Øget kvalitet", "Higher quality"),
    "value_efficiency": ("Øget effektivitet", "Higher efficiency"),
    "value_employee_satisfaction": ("Øget medarbejdertilfredshed", "Higher employee satisfaction"),
    "value_citizen_involvement": ("Øget borgerinddragelse", "More citizen involvement"),
    "value_political_goals": ("Indfrielse af politiske mål", "Political goals met"),
}
TYPES = {
    "type_product": ("Produktinnovation", "Product innovation"),
    "type_service": ("Serviceinnovation", "Service innovation"),
    "type_process": ("Proces- og organisatorisk innovation", "Process and organisational innovation"),
    "type_communication": ("Kommunikationsinnovation", "Communication innovation"),
}
CITIZENS = {
    "citizens_initiated": ("Borgerne var en af årsagerne til, at innovationen blev sat i gang",
                           "Citizens were one of the reasons the innovation was started"),
    "citizens_promoted": ("Borgerne fremmede innovationen", "Citizens promoted the innovation"),
    "citizens_collaborated": ("Der er samarbejdet med borgerne", "The workplace collaborated with citizens"),
}
PARTNERS = {
    "partner_own_org": ("Andre arbejdspladser i egen organisation", "Other workplaces in own organisation"),
    "partner_same_sector": ("Andre offentlige arbejdspladser i egen sektor", "Other public workplaces in own sector"),
    "partner_other_public": ("Offentlige arbejdspladser i andre sektorer", "Public workplaces in other sectors"),
    "partner_private": ("Private virksomheder", "Private companies"),
    "partner_knowledge": ("Videninstitutioner", "Knowledge institutions"),
    "partner_volunteer": ("Frivillige foreninger", "Voluntary associations"),
    "partner_foreign": ("Udenlandske aktører", "Foreign partners"),
    "partner_citizens": ("Borgere", "Citizens"),
}
SPREAD = {
    "spread_network": ("Faglige relationer og netværk", "Professional relations and networks"),
    "spread_internal": ("Interne aktiviteter", "Internal activities"),
    "spread_website": ("Egen hjemmeside", "Own website"),
}

_Q_INNOVATED = {
    "da": "Har arbejdspladsen i 2018-2019 indført nye eller væsentligt ændrede produkter, serviceydelser, "
          "processer, organisationsformer eller måder at kommunikere med omverdenen på?",
    "en": "Did the workplace introduce new or significantly changed products, services, processes, ways of "
          "organising or ways of communicating with the outside world in 2018-2019?",
}
_Q_TECH_ROLE = {
    "da": "I hvilken grad indgår teknologi i den seneste innovation? Tænk både på teknologi som fysiske og "
          "digitale løsninger.",
    "en": "To what extent is technology part of the latest innovation? Think of both physical and digital "
          "solutions.",
}
_Q_TECH_NEW = {
    "da": "Er den teknologi, der indgår i innovationen, ny for jer og/eller en væsentligt ændret måde at bruge "
          "teknologi, som I anvender i forvejen?",
    "en": "Is the technology in the innovation new to you and/or a significantly changed way of using "
          "technology you already use?",
}
_Q_VALUES = {
    "da": "Hvilke former for værdi har den seneste innovation skabt?",
    "en": "What kinds of value has the latest innovation created?",
}
_Q_CITIZENS = {
    "da": "Hvilken rolle har borgerne spillet i den seneste innovation?",
    "en": "What role did citizens play in the latest innovation?",
}
_Q_PARTNERS = {
    "da": "Hvem har arbejdspladsen samarbejdet med om den seneste innovation?",
    "en": "Whom did the workplace collaborate with on the latest innovation?",
}
_Q_SPREAD = {
    "da": "Har arbejdspladsen aktivt søgt at sprede den seneste innovation, og hvordan?",
    "en": "Has the workplace actively tried to spread the latest innovation, and how?",
}
_Q_TYPES = {
    "da": "Hvilke typer innovation har arbejdspladsen indført i 2018-2019?",
    "en": "Which types of innovation did the workplace introduce in 2018-2019?",
}
_BOTH_ROUNDS = ROUNDS


def _bools(items: dict[str, tuple[str, str]], question: dict[str, str], asked_of: str) -> list[Variable]:
    """Return one bool Variable per item, all sharing a question and routing."""
    return [Variable(name, "bool", {"da": da, "en": en}, asked_of, question=question) for name, (da, en) in items.items()]


VARIABLES: tuple[Variable, ...] = (
    Variable("id", "id", {"da": "Id", "en": "Id"}, rounds=_BOTH_ROUNDS),
    Variable("round", "round", {"da": "Runde", "en": "Round"}, rounds=_BOTH_ROUNDS, codes=ROUNDS),
    Variable("sector", "code", {"da": "Sektor", "en": "Sector"}, rounds=_BOTH_ROUNDS, codes=SECTORS,
             code_labels=SECTOR_LABELS),
    Variable("industry", "code", {"da": "Delsektor", "en": "Sub-sector"}, rounds=_BOTH_ROUNDS, codes=INDUSTRIES,
             code_labels=INDUSTRY_LABELS),
    Variable("size", "code", {"da": "Størrelse", "en": "Size"}, rounds=_BOTH_ROUNDS, codes=SIZES,
             code_labels=SIZE_LABELS),
    Variable("stratum", "text", {"da": "Stratum", "en": "Stratum"}, rounds=_BOTH_ROUNDS),
    Variable("weight", "weight", {"da": "Vægt", "en": "Weight"}, rounds=_BOTH_ROUNDS),
    # N_h: workplaces in the row's stratum in its round; with it the variance has the finite population correction
    Variable("stratum_population", "count", {"da": "Population i stratum", "en": "Stratum population"},
             rounds=_BOTH_ROUNDS, optional=True),
    Variable("innovated", "bool", {"da": "Innovativ", "en": "Innovative"}, rounds=_BOTH_ROUNDS, question=_Q_INNOVATED),
    Variable("curiosity", "code", {"da": "Nysgerrighed på ny teknologi", "en": "Curiosity about new technology"},
             codes=CURIOSITY_CODES, code_labels=CURIOSITY_LABELS,
             question={"da": "Vi er nysgerrige på nye teknologiske løsninger og muligheder.",
                       "en": "We are curious about new technological solutions and possibilities."}),
    *_bools(TYPES, _Q_TYPES, INNOVATORS),
    Variable("novelty", "code", {"da": "Nyhedsgrad", "en": "Novelty"}, INNOVATORS, codes=NOVELTY_CODES,
             code_labels=NOVELTY_LABELS,
             question={"da": "Hvilket udsagn beskriver bedst den seneste innovation?",
                       "en": "Which statement best describes the latest innovation?"}),
    Variable("tech_role", "code", {"da": "Teknologiens rolle", "en": "Role of technology"}, INNOVATORS,
             codes=TECH_ROLE_CODES, code_labels=TECH_ROLE_LABELS, question=_Q_TECH_ROLE),
    Variable("tech_new", "code", {"da": "Ny eller kendt teknologi", "en": "New or known technology"},
             TECH_INNOVATORS, codes=TECH_NEW_CODES, code_labels=TECH_NEW_LABELS, question=_Q_TECH_NEW),
    Variable("tech_group", "code", {"da": "Teknologigruppe", "en": "Technology group"}, INNOVATORS,
             codes=TECH_GROUP_CODES, code_labels=TECH_GROUP_LABELS, derived=True,
             question={"da": "Afledt af teknologiens rolle og om teknologien er ny (figur 3).",
                       "en": "Derived from the role of technology and whether it is new (figure 3)."}),
    Variable("technology", "code", {"da": "Teknologi", "en": "Technology"}, TECH_INNOVATORS,
             codes=TECHNOLOGY_CODES, code_labels=TECHNOLOGY_LABELS,
             question={"da": "Hvilken teknologi indgår i den seneste innovation?",
                       "en": "Which technology is part of the latest innovation?"}),
    Variable("started_by_new_tech", "bool", {"da": "Sat i gang af ny teknologi", "en": "Started by new technology"},
             INNOVATORS, question={"da": "Var ny teknologi en af årsagerne til, at innovationen blev sat i gang?",
                                   "en": "Was new technology one of the reasons the innovation was started?"}),
    Variable("core_task", "bool", {"da": "Handler om kerneopgaven", "en": "Concerns the core task"}, INNOVATORS,
             question={"da": "Handler den seneste innovation om arbejdspladsens kerneopgaver?",
                       "en": "Does the latest innovation concern the workplace's core tasks?"}),
    *_bools(VALUES, _Q_VALUES, INNOVATORS),
    *_bools(CITIZENS, _Q_CITIZENS, INNOVATORS),
    Variable("employees_initiated", "bool", {"da": "Medarbejderne satte innovationen i gang",
                                             "en": "Employees started the innovation"}, INNOVATORS,
             question={"da": "Var medarbejderne en af årsagerne til, at innovationen blev sat i gang?",
                       "en": "Were employees one of the reasons the innovation was started?"}),
    Variable("employees_role", "code", {"da": "Medarbejdernes medvirken", "en": "Employees' part"}, INNOVATORS,
             codes=EMPLOYEES_ROLE_CODES, code_labels=EMPLOYEES_ROLE_LABELS,
             question={"da": "Fremmede eller hæmmede medarbejdernes medvirken den seneste innovation?",
                       "en": "Did the employees' part promote or hinder the latest innovation?"}),
    Variable("collab_any", "bool", {"da": "Samarbejde med andre", "en": "Collaborated with others"}, INNOVATORS,
             question=_Q_PARTNERS),
    *_bools(PARTNERS, _Q_PARTNERS, INNOVATORS),
    Variable("spread_any", "bool", {"da": "Aktivt søgt at sprede", "en": "Actively spread"}, INNOVATORS,
             question=_Q_SPREAD),
    *_bools(SPREAD, _Q_SPREAD, INNOVATORS),
)

BY_NAME: dict[str, Variable] = {v.name: v for v in VARIABLES}
COLUMNS: tuple[str, ...] = tuple(v.name for v in VARIABLES)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(v.name for v in VARIABLES if not v.optional)
BOOL_COLUMNS = tuple(v.name for v in VARIABLES if v.kind == "bool")
CODE_COLUMNS = tuple(v.name for v in VARIABLES if v.kind in ("code", "round"))
VALUE_COLUMNS = tuple(VALUES)
PARTNER_COLUMNS = tuple(PARTNERS)


def label(variable: str, code: str | None = None, lang: str = "da") -> str:
    """Return the label of a variable, or of one of its codes, in `lang`."""
    var = BY_NAME[variable]
    if code is None:
        return var.label[lang]
    return var.code_labels[code][lang]


def derive_tech_group(tech_role, tech_new):
    """Return the figure 3 grouping for one innovator: new_tech, known_tech or non_tech.

    Technological innovations (tech_role solution or important) with tech_new == "new" are new_tech,
    all other technological ones known_tech (including "don't know"); every other innovator is non_tech.
    """
    if tech_role in TECH_ROLES:
        return "new_tech" if tech_new == "new" else "known_tech"
    return "non_tech"
