"""Targets the synthetic generator calibrates to, in percent of the base named (over the workplaces
that answered the question, as the publications compute their shares).

Published targets come from the two seed publications (data/published/numbers.csv lists them with
their phrases); the rest are illustrative values chosen to respect what the text says (which
group is highest, which differences are significant). Shares of a whole cell add up with the
remaining code, named in each assignment.
"""

# Unweighted counts (003, method note and figure notes).
RESPONDENTS = 2271
INNOVATORS = 1877
TECH_INNOVATIONS = 733

# Innovative share by sector and round (000).
INNOVATED = {
    "2018-2019": {"state": 84, "region": 85, "municipality": 80},
    "2015-2016": {"state": 84, "region": 80, "municipality": 80},
}

# Curiosity about new technology, all workplaces (003 fig 7: 8 of 10 agree, 3 % don't know, 6 % n/a).
CURIOSITY_RANDOM = {"not_relevant": 6.0, "dont_know": 3.0}
CURIOSITY_ORDERED = {"agree_fully": 32.0, "agree_partly": 48.0, "disagree_partly": 7.0}  # rest disagree_fully

# Technological innovations (tech_role solution/important) among innovators (003 fig 1 and text).
TECH_BY_SECTOR = {"state": 52.0, "region": 37.0, "municipality": 32.0}
TECH_IF_FULLY_CURIOUS = 54.0  # "mere end halvdelen"; the rest land near "hver fjerde"
SOLUTION_OF_TECH = 0.283  # 10 % of innovations are a solution, 25 % technology important
NON_TECH_SPLIT = {"minor": 34.3 / 65.7, "none": 26.2 / 65.7}  # rest dont_know (5 %)
TECH_NEW_OF_TECH = {"new": 26.5, "dont_know": 4.0}  # rest known: 9 % new, 25 % known of innovations

# Technologies named, by tech_new (illustrative; figure 2 publishes no shares).
TECHNOLOGY = {
    "new": {"ai": 13, "vr": 11, "sensors": 14, "apps": 12, "tablets": 9, "social_media": 7, "robots": 12,
            "computers": 3, "self_service": 5, "planning_tools": 4},
    "known": {"ai": 1, "vr": 1, "sensors": 3, "apps": 11, "tablets": 10, "social_media": 9, "robots": 8,
              "computers": 17, "self_service": 16, "planning_tools": 14},
}

BY_TECH_GROUP = {
    "started_by_new_tech": {"new_tech": 60.0, "known_tech": 18.0, "non_tech": 3.6},
    "core_task": {"new_tech": 89.0, "known_tech": 90.0, "non_tech": 90.0},
    "employees_initiated": {"new_tech": 22.0, "known_tech": 26.0, "non_tech": 38.0},
    "collab_any": {"new_tech": 84.0, "known_tech": 77.0, "non_tech": 64.0},
}

# Values created: margins by sector (000) and by tech group (003 fig 4); unnamed sectors are free.
VALUES = {
    "value_quality": ({"state": 66.0, "region": 72.0}, {"new_tech": 59.0, "known_tech": 61.0, "non_tech": 72.0}),
    "value_efficiency": ({"state": 45.0, "region": 49.0},
                         {"new_tech": 48.0, "known_tech": 46.5, "non_tech": 35.0}),
    "value_employee_satisfaction": ({"state": 33.0, "region": 35.0},
                                    {"new_tech": 40.0, "known_tech": 40.0, "non_tech": 51.0}),
    "value_citizen_involvement": ({"state": 20.0, "region": 29.0},
                                  {"new_tech": 27.2, "known_tech": 34.7, "non_tech": 28.2}),
    "value_political_goals": ({"state": 30.0, "region": 19.0},
                              {"new_tech": 18.0, "known_tech": 18.0, "non_tech": 18.0}),
}

# Citizens' role (003 fig 5): patterns of initiated, promoted, collaborated (1 = yes) in percent of tech / non-tech.
CITIZEN_PATTERNS = {
    "tech": {"111": 3.0, "011": 9.5, "110": 5.5, "010": 31.0, "001": 2.5, "100": 1.5},
    "non_tech": {"111": 4.0, "011": 11.5, "110": 7.5, "010": 32.0, "001": 2.5, "100": 1.5},
}

# Employees' part (003 fig 6), by tech group and whether employees started the innovation; when
# they started it, the split is the same in every tech group.
EMPLOYEES_ROLE = {
    "initiated": {"promoted": 93.0, "hindered": 4.0, "neither": 2.0, "dont_know": 1.0},
    "new_tech|not_initiated": {"promoted": 70.0, "hindered": 24.5, "neither": 3.5, "dont_know": 1.0},
    "known_tech|not_initiated": {"promoted": 76.0, "hindered": 16.2, "neither": 5.5, "dont_know": 1.3},
    "non_tech|not_initiated": {"promoted": 82.0, "hindered": 10.5, "neither": 5.0, "dont_know": 1.5},
}  # rest not_relevant

# Collaboration partners in percent of all innovators of the group (003 figs 8-10).
PARTNERS = {
    "partner_own_org": {"new_tech": 47.0, "known_tech": 44.0, "non_tech": 34.0},
    "partner_same_sector": {"new_tech": 25.0, "known_tech": 18.5, "non_tech": 9.0},
    "partner_other_public": {"new_tech": 36.0, "known_tech": 34.0, "non_tech": 33.0},
    "partner_private": {"new_tech": 38.0, "known_tech": 25.0, "non_tech": 12.0},
    "partner_knowledge": {"new_tech": 24.0, "known_tech": 18.0, "non_tech": 17.0},
    "partner_volunteer": {"new_tech": 4.0, "known_tech": 5.0, "non_tech": 11.0},
    "partner_foreign": {"new_tech": 6.0, "known_tech": 3.0, "non_tech": 1.2},
}

# Citizens as a collaboration partner (illustrative; figure 8 says only that tech and non-tech do not differ).
PARTNER_CITIZENS = {"new_tech": 14.0, "known_tech": 15.0, "non_tech": 16.0}

# Novelty of the latest innovation (000), by tech group; rest dont_know.
NOVELTY = {
    "new_tech": {"first": 28.0, "adapted": 55.0, "copied": 8.0},
    "known_tech": {"first": 17.0, "adapted": 60.0, "copied": 13.0},
    "non_tech": {"first": 17.4, "adapted": 59.3, "copied": 13.8},
}

# Spreading (000), percent of innovators: "næsten halvdelen" actively spread it.
SPREAD_ANY = 47.0
SPREAD_CHANNELS = {"spread_network": 35.0, "spread_internal": 22.0, "spread_website": 15.0}

# Innovation types, percent of innovators (illustrative: the DST chart's values are not in the text).
TYPES = {"type_process": 62.0, "type_service": 47.0, "type_communication": 36.0, "type_product": 21.0}
