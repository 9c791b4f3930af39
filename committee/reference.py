"""Reference content written in the committee's charter (1 October 2015), verbatim."""

AXES = [
    (
        1,
        "les nouveaux usages du numérique à l'école et autour de l'école",
        "Nouveaux usages",
        "nouveaux-usages",
    ),
    (
        2,
        "une gouvernance partagée à la bonne échelle et ancrée dans les territoires",
        "Gouvernance partagée",
        "gouvernance-partagee",
    ),
    (
        3,
        "l'accompagnement des acteurs professionnels et de la communauté éducative",
        "Accompagnement des acteurs",
        "accompagnement",
    ),
    (
        4,
        "les référentiels nationaux relatifs aux ressources, aux équipements, aux usages "
        "et aux formations",
        "Référentiels nationaux",
        "referentiels-nationaux",
    ),
    (5, "les infrastructures et équipements", "Infrastructures et équipements", "infrastructures"),
    (
        6,
        "l'aide à la structuration de la filière du numérique éducatif",
        "Filière du numérique éducatif",
        "filiere",
    ),
]

MISSIONS = [
    "impulser une stratégie globale de déploiement du numérique pour l'éducation sur "
    "l'ensemble du territoire",
    "proposer un ensemble cohérent d'actions",
    "mutualiser et valoriser les expériences territoriales",
    "produire des contributions de politique générale",
    "définir les objectifs du déploiement du numérique éducatif et coordonner les efforts "
    "nécessaires pour y parvenir",
]
