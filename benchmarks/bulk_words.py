"""Word lists and weights of the bulk catalogue (benchmarks/bulk.py): what rows are made of."""

import datetime

from initiatives.models import Initiative
from referentials.models import Territory

S = Initiative.Status
L = Territory.Level

STATUS_WEIGHTS = {
    S.PUBLISHED: 84,
    S.ARCHIVED: 5,
    S.REJECTED: 2,
    S.DRAFT: 3,
    S.SUBMITTED: 2,
    S.IN_REVIEW: 2,
    S.CHANGES_REQUESTED: 2,
}
LEVEL_WEIGHTS = {L.COMMUNE: 55, L.EPCI: 10, L.DEPARTMENT: 20, L.REGION: 15}
FIRST_DAY = datetime.date(2016, 1, 15)
LAST_DAY = datetime.date(2026, 11, 1)

# --- Word lists -------------------------------------------------------------------------------

# (as a title starts, as the object of a sentence)
SUBJECTS = {
    "mobiles": [
        ("Tablettes numériques", "des tablettes numériques"),
        ("Classes mobiles", "des classes mobiles"),
        ("Ordinateurs portables", "des ordinateurs portables"),
        ("Équipement individuel mobile", "l'équipement individuel mobile des élèves"),
        ("Chariots de tablettes", "des chariots de tablettes"),
        ("Ordinateurs hybrides", "des ordinateurs hybrides"),
    ],
    "connectivite": [
        ("Très haut débit", "le très haut débit"),
        ("Fibre optique", "la fibre optique"),
        ("Wi-Fi pédagogique", "un Wi-Fi pédagogique"),
        ("Raccordement par satellite", "le raccordement par satellite"),
        ("Câblage des salles de classe", "le câblage des salles de classe"),
        ("Réseau pédagogique sécurisé", "un réseau pédagogique sécurisé"),
    ],
    "classe": [
        ("Écrans numériques interactifs", "des écrans numériques interactifs"),
        ("Vidéoprojecteurs interactifs", "des vidéoprojecteurs interactifs"),
        ("Visualiseurs", "des visualiseurs"),
        ("Tableaux blancs interactifs", "des tableaux blancs interactifs"),
        ("Équipement numérique des classes", "l'équipement numérique des classes"),
    ],
    "ent": [
        ("Espace numérique de travail", "un espace numérique de travail"),
        ("ENT commun", "un ENT commun"),
        ("Cahier de textes en ligne", "un cahier de textes en ligne"),
        ("Messagerie entre l'école et les familles", "une messagerie avec les familles"),
    ],
    "ressources": [
        ("Manuels numériques", "des manuels numériques"),
        ("Ressources pédagogiques numériques", "des ressources pédagogiques numériques"),
        ("Bibliothèque numérique", "une bibliothèque numérique"),
        ("Banque de ressources éducatives", "une banque de ressources éducatives"),
        ("Livres audio et albums numériques", "des livres audio et des albums numériques"),
    ],
    "formation": [
        ("Formation des enseignants au numérique", "la formation des enseignants au numérique"),
        ("Animateurs numériques", "des animateurs numériques"),
        ("Accompagnement des équipes pédagogiques", "l'accompagnement des équipes"),
        ("Parcours Pix+Édu", "des parcours de formation Pix+Édu"),
        ("Référents numériques", "des référents numériques"),
    ],
    "programmation": [
        ("Ateliers de programmation", "des ateliers de programmation"),
        ("Robotique pédagogique", "la robotique pédagogique"),
        ("Fab lab éducatif", "un fab lab éducatif"),
        ("Impression 3D", "l'impression 3D"),
        ("Initiation au code", "l'initiation au code"),
        ("Défis de programmation", "des défis de programmation"),
    ],
    "citoyennete": [
        ("Éducation aux médias et à l'information", "l'éducation aux médias et à l'information"),
        ("Citoyenneté numérique", "un parcours de citoyenneté numérique"),
        ("Web radio scolaire", "une web radio scolaire"),
        ("Prévention du cyberharcèlement", "la prévention du cyberharcèlement"),
        ("Journal numérique des élèves", "un journal numérique des élèves"),
        ("Lutte contre les fausses informations", "des ateliers contre les fausses informations"),
    ],
    "maintenance": [
        ("Maintenance informatique mutualisée", "une maintenance informatique mutualisée"),
        ("Assistance numérique de proximité", "une assistance numérique de proximité"),
        ("Centre de services numériques", "un centre de services numériques"),
        ("Supervision du parc informatique", "la supervision du parc informatique"),
    ],
    "familles": [
        ("Ateliers numériques parents-enfants", "des ateliers numériques parents-enfants"),
        ("Médiation numérique pour les familles", "une médiation numérique pour les familles"),
        ("Tiers-lieu éducatif numérique", "un tiers-lieu éducatif numérique"),
        ("Aide aux devoirs en ligne", "une aide aux devoirs en ligne"),
        ("Prêt d'ordinateurs aux familles", "le prêt d'ordinateurs aux familles"),
    ],
    "donnees": [
        ("Protection des données des élèves", "la protection des données des élèves"),
        ("Délégué à la protection des données mutualisé", "un délégué à la protection des données"),
        ("Conformité RGPD des écoles", "la mise en conformité RGPD"),
    ],
    "sobriete": [
        ("Sobriété numérique", "une démarche de sobriété numérique"),
        ("Ordinateurs reconditionnés", "des ordinateurs reconditionnés"),
        ("Réemploi des équipements numériques", "le réemploi des équipements numériques"),
        ("Numérique responsable", "un numérique responsable"),
    ],
    "classes-connectees": [
        ("Classes connectées", "des classes connectées"),
        ("Visioconférence entre écoles", "la visioconférence entre écoles"),
        ("Cours partagés à distance", "des cours partagés à distance"),
        ("Classes jumelées en ligne", "des classes jumelées en ligne"),
    ],
    "inclusion": [
        ("Ressources numériques adaptées", "des ressources numériques adaptées"),
        ("Tablettes pour les élèves à besoins particuliers", "des tablettes adaptées"),
        ("Accessibilité numérique", "l'accessibilité numérique"),
        ("Synthèse vocale en classe", "la synthèse vocale en classe"),
    ],
    "gouvernance": [
        ("Schéma directeur du numérique éducatif", "un schéma directeur du numérique éducatif"),
        ("Plan numérique éducatif", "un plan numérique éducatif"),
        ("Comité local du numérique éducatif", "un comité local du numérique éducatif"),
        ("Convention numérique avec l'académie", "une convention numérique avec l'académie"),
    ],
}
THEME_WEIGHTS = {
    "mobiles": 14,
    "connectivite": 10,
    "classe": 10,
    "ent": 8,
    "ressources": 8,
    "formation": 8,
    "programmation": 9,
    "citoyennete": 8,
    "maintenance": 5,
    "familles": 6,
    "donnees": 3,
    "sobriete": 4,
    "classes-connectees": 4,
    "inclusion": 2,
    "gouvernance": 1,
}
ESTABLISHMENTS = {
    L.COMMUNE: ["écoles", "écoles maternelles et élémentaires", "écoles élémentaires"],
    L.EPCI: ["écoles", "écoles du territoire", "accueils périscolaires"],
    L.DEPARTMENT: ["collèges", "collèges publics"],
    L.REGION: ["lycées", "lycées professionnels", "lycées et CFA"],
}
SCHOOL_LEVELS = {
    L.COMMUNE: [["maternelle", "elementaire"], ["elementaire"], ["elementaire", "periscolaire"]],
    L.EPCI: [["maternelle", "elementaire"], ["periscolaire"], ["elementaire", "periscolaire"]],
    L.DEPARTMENT: [["college"]],
    L.REGION: [["lycee"], ["lycee"], ["college", "lycee"]],
}
ACTORS = {
    L.COMMUNE: ["La commune", "La ville", "La municipalité"],
    L.EPCI: ["L'intercommunalité", "La communauté", "Le territoire intercommunal"],
    L.DEPARTMENT: ["Le département", "Le conseil départemental"],
    L.REGION: ["La région", "Le conseil régional"],
}
VERBS = ["déploie", "généralise", "expérimente", "met en place", "étend", "renouvelle"]
GOALS = [
    "pour réduire les inégalités d'accès au numérique",
    "pour accompagner les nouveaux usages pédagogiques",
    "en lien étroit avec les équipes de l'académie",
    "pour préparer les élèves à une société numérique",
    "avec un accompagnement des enseignants dans la durée",
    "en associant les familles dès le départ",
    "dans le cadre d'un plan pluriannuel",
    "en mutualisant les achats et la maintenance",
]
TITLE_ENDINGS = [
    "pour tous les élèves",
    "au service des apprentissages",
    "dès la rentrée",
    "en trois ans",
    "avec les familles",
    "pour une école plus inclusive",
    "et accompagnement des équipes",
]
EXTRA_SENTENCES = [
    "Un comité de pilotage réunit chaque trimestre élus, services et représentants de "
    "l'Éducation nationale.",
    "Les directeurs d'école et les chefs d'établissement ont été consultés avant le choix "
    "des équipements.",
    "Un bilan d'étape est présenté chaque année au conseil de la collectivité.",
    "Les achats passent par une centrale d'achat publique pour réduire les coûts.",
    "Un référent numérique est désigné dans chaque école ou établissement.",
    "Les usages sont suivis par un questionnaire annuel auprès des enseignants.",
    "Le projet s'appuie sur le schéma directeur des espaces numériques de travail.",
    "La démarche a été présentée lors des rencontres régionales du numérique éducatif.",
    "Les équipes peuvent emprunter du matériel supplémentaire pour des projets ponctuels.",
    "Une attention particulière est portée à l'accessibilité pour les élèves en situation "
    "de handicap.",
    "Les agents techniques ont suivi une formation à la gestion du parc numérique.",
    "Le calendrier tient compte des travaux de rénovation des bâtiments scolaires.",
]
# Rare topics, each in a small share of rows, so that a search for them is selective.
RARE_SENTENCES = [
    "Un atelier d'astronomie utilise des logiciels de planétarium.",
    "Les élèves ont réalisé un herbier numérique des plantes du quartier.",
    "Un projet d'apiculture connectée suit les ruches de l'école.",
    "Une chorale virtuelle réunit plusieurs écoles.",
    "Des contes traditionnels ont été enregistrés avec les grands-parents des élèves.",
    "Les élèves aveugles disposent de plages braille reliées aux tablettes.",
    "Une cartographie participative des sentiers a été publiée en données ouvertes.",
    "Un jeu d'évasion numérique fait découvrir le patrimoine local.",
    "Les élèves ont programmé une station météorologique.",
    "Un partenariat avec l'observatoire ornithologique permet de suivre les oiseaux migrateurs.",
    "Les collégiens ont conçu un podcast en langue des signes.",
    "Une classe a modélisé en trois dimensions le château de la commune.",
]
FUNDING = {
    L.COMMUNE: [
        "Budget communal",
        "Budget communal ; dotation de soutien à l'investissement local (DSIL)",
        "Budget communal ; dotation d'équipement des territoires ruraux (DETR)",
        "Budget communal ; appel à projets pour un socle numérique dans les écoles",
    ],
    L.EPCI: ["Budget intercommunal", "Budget intercommunal ; Banque des Territoires"],
    L.DEPARTMENT: [
        "Budget départemental",
        "Budget départemental ; plan numérique pour l'éducation",
        "Budget départemental ; Banque des Territoires",
    ],
    L.REGION: [
        "Budget régional",
        "Budget régional ; fonds européen de développement régional (FEDER)",
        "Budget régional ; programme d'investissements d'avenir",
    ],
}
SIZES = {  # schools (low, high), pupils per school (low, high), budget per school (low, high)
    L.COMMUNE: ((1, 40), (60, 250), (2_000, 40_000)),
    L.EPCI: ((5, 80), (60, 220), (2_000, 30_000)),
    L.DEPARTMENT: ((8, 140), (250, 700), (5_000, 150_000)),
    L.REGION: ((20, 480), (400, 1_200), (10_000, 300_000)),
}
