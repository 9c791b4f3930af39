"""Reference content written in the committee's charter (1 October 2015), verbatim."""

from referentials.datafiles import data_file

# (number, title, short title, slug) of the charter's six axes, from referentials/data/axes.json.
AXES = [(a["number"], a["title"], a["short_title"], a["slug"]) for a in data_file("axes")]

MISSIONS = [
    "impulser une stratégie globale de déploiement du numérique pour l'éducation sur "
    "l'ensemble du territoire",
    "proposer un ensemble cohérent d'actions",
    "mutualiser et valoriser les expériences territoriales",
    "produire des contributions de politique générale",
    "définir les objectifs du déploiement du numérique éducatif et coordonner les efforts "
    "nécessaires pour y parvenir",
]
