"""Demo content: a realistic catalogue, action plan and contributions to show the portal
working, on top of the production reference data (`referentials/data/`, loaded by
`manage.py load_reference_data`). The initiatives, actions and people are invented but
plausible, and their figures are examples."""

import datetime

D = datetime.date
DEMO_EMAIL_DOMAIN = "demo.comite-numerique.fr"

# How each organisation is named inside a sentence.
IN_TEXT = {
    "AMF": "l'Association des maires de France (AMF)",
    "ADF": "l'Assemblée des départements de France",
    "AMGVF": "France urbaine",
    "ARF": "Régions de France",
    "AMVBF": "l'association Ville et Banlieue",
    "AMRF": "l'Association des maires ruraux de France",
    "RFVE": "le Réseau français des villes éducatrices",
    "Villes Internet": "l'association Villes Internet",
    "CDC": "la Banque des Territoires (Caisse des dépôts)",
    "MEN": "les services académiques du ministère de l'Éducation nationale",
}

# --- Accounts ---------------------------------------------------------------------------------

# (local part, first name, last name, organisation acronym or None, role or "superuser")
ACCOUNTS = [
    ("contributeur", "Camille", "Lefèvre", "AMF", "contributor"),
    ("admin-association", "Nadia", "Benali", "AMF", "admin"),
    ("contributeur-adf", "Julien", "Moreau", "ADF", "contributor"),
    ("instructeur", "Sophie", "Garnier", "MEN", "reviewer"),
    ("secretariat", "Thomas", "Rousseau", "MEN", "secretariat"),
    ("admin", "Claire", "Fontaine", None, "superuser"),
]

# Known TOTP secrets (base32) of the demo accounts the MFA gate applies to, printed with the
# credentials so the demo can be used: `oathtool --totp -b SECRET` gives the current code.
TOTP_SECRETS = {
    "admin-association": "ADMINASSOCIATIONDEMOCOMITEAMFAAA",
    "instructeur": "INSTRUCTEURDEMOCOMITEMINISTEREAA",
    "secretariat": "SECRETARIATDEMOCOMITEMINISTEREAA",
    "admin": "SUPERUTILISATEURDEMOCOMITEADMINA",
}

# Authors of the other associations' initiatives: they cannot log in (no usable password).
AUTHORS = [
    ("redaction-france-urbaine", "Mathieu", "Girard", "AMGVF"),
    ("redaction-regions", "Élodie", "Marchand", "ARF"),
    ("redaction-ville-banlieue", "Karim", "Haddad", "AMVBF"),
    ("redaction-amrf", "Anne", "Perrin", "AMRF"),
    ("redaction-rfve", "Luc", "Bernard", "RFVE"),
    ("redaction-villes-internet", "Inès", "Laurent", "Villes Internet"),
]

# --- Themes: what an initiative of a given kind touches and how it is told -------------------

THEMES = {
    "mobiles": {
        "axes": [5, 1],
        "items": ["socle-numerique-ecoles:E3.1", "socle-numerique-ecoles:E3.3", "crcn:3.1"],
        "demarche": (
            "Les équipements ont été choisis avec les équipes pédagogiques après une phase de "
            "test dans des classes pilotes. Chaque établissement dispose d'un référent, les "
            "appareils sont configurés et gérés à distance, et un plan de formation accompagne "
            "chaque livraison."
        ),
        "outcomes": (
            "{schools} écoles ou établissements équipés et {pupils} élèves concernés. Les "
            "enseignants citent d'abord le travail en autonomie, la production d'écrits et de "
            "contenus multimédia et la différenciation. Point de vigilance : prévoir dès le "
            "départ le renouvellement et la recharge des appareils."
        ),
    },
    "connectivite": {
        "axes": [5],
        "items": [
            "socle-numerique-ecoles:E1.1",
            "socle-numerique-ecoles:E1.2",
            "socle-numerique-ecoles:E1.3",
        ],
        "demarche": (
            "Un diagnostic des débits a été réalisé école par école, puis les raccordements "
            "ont été programmés avec l'opérateur du réseau d'initiative publique. Le câblage "
            "interne et le Wi-Fi ont été installés pendant les vacances scolaires pour ne pas "
            "perturber les classes."
        ),
        "outcomes": (
            "{schools} sites raccordés au très haut débit. Les coupures pendant les "
            "évaluations nationales et les visioconférences ont disparu ; le filtrage commun "
            "simplifie la protection des {pupils} élèves."
        ),
    },
    "classe": {
        "axes": [5, 1],
        "items": [
            "socle-numerique-ecoles:E2.1",
            "socle-numerique-ecoles:E2.2",
            "socle-numerique-ecoles:E2.3",
        ],
        "demarche": (
            "Chaque classe reçoit un écran numérique interactif ou un vidéoprojecteur, un "
            "poste pour l'enseignant et un visualiseur. L'installation est suivie d'une demi-"
            "journée de prise en main animée par les conseillers pédagogiques au numérique."
        ),
        "outcomes": (
            "{schools} écoles équipées. L'usage quotidien est acquis dans la grande majorité "
            "des classes ; les enseignants demandent surtout des ressources prêtes à l'emploi "
            "et un appui technique réactif."
        ),
    },
    "ent": {
        "axes": [1, 4],
        "items": [
            "socle-numerique-ecoles:E4.1",
            "ressources-numeriques:R2.1",
            "crcn:2.2",
            "crcn:2.3",
        ],
        "demarche": (
            "L'espace numérique de travail a été choisi par un marché commun, conforme au "
            "schéma directeur des ENT. Le déploiement a suivi un calendrier par vagues, avec "
            "des sessions d'information pour les familles et un guichet d'assistance."
        ),
        "outcomes": (
            "{pupils} élèves et leurs familles disposent d'un compte. Le cahier de textes, la "
            "messagerie et l'accès aux ressources via le GAR sont les services les plus "
            "utilisés ; la connexion des familles reste à encourager."
        ),
    },
    "ressources": {
        "axes": [4, 1],
        "items": [
            "ressources-numeriques:R1.1",
            "ressources-numeriques:R1.2",
            "ressources-numeriques:R2.2",
        ],
        "demarche": (
            "Les ressources numériques sont acquises de façon groupée et rendues accessibles "
            "par le GAR, sans transmission de données superflues aux éditeurs. Les équipes "
            "choisissent leurs ressources dans un catalogue commun."
        ),
        "outcomes": (
            "{schools} établissements et {pupils} élèves ont accès aux ressources. Le cartable "
            "s'est allégé ; les équipes souhaitent davantage de ressources adaptées aux élèves "
            "à besoins éducatifs particuliers."
        ),
    },
    "formation": {
        "axes": [3],
        "items": ["crcn-edu:F1.2", "crcn-edu:F3.1", "crcn-edu:F5.1"],
        "demarche": (
            "Des animateurs numériques interviennent en classe aux côtés des enseignants, en "
            "lien avec les conseillers pédagogiques et les parcours de formation Pix+Édu de "
            "l'académie. Les séances sont co-construites et documentées pour être réutilisées."
        ),
        "outcomes": (
            "{schools} écoles accompagnées. Les enseignants déclarent une plus grande "
            "autonomie ; les séquences produites sont partagées sur l'ENT."
        ),
    },
    "programmation": {
        "axes": [1],
        "items": ["crcn:3.4", "crcn:5.1", "crcn:1.3"],
        "demarche": (
            "Des ateliers de programmation et de robotique sont proposés sur le temps scolaire "
            "et périscolaire, avec du matériel prêté aux écoles par rotation. Les animateurs et "
            "les enseignants suivent une formation commune."
        ),
        "outcomes": (
            "{pupils} élèves ont participé aux ateliers. Les projets de fin d'année sont "
            "présentés aux familles ; la continuité entre l'école et le collège est à "
            "renforcer."
        ),
    },
    "citoyennete": {
        "axes": [1, 3],
        "items": ["crcn:1.1", "crcn:2.4", "crcn:4.2", "crcn-edu:F5.2"],
        "demarche": (
            "Un parcours d'éducation aux médias et à l'information est proposé aux classes : "
            "vérifier une information, comprendre les réseaux sociaux, protéger sa vie privée, "
            "réagir au cyberharcèlement. Journalistes et associations interviennent avec les "
            "enseignants."
        ),
        "outcomes": (
            "{pupils} élèves ont suivi le parcours. Les enseignants observent une meilleure "
            "vigilance face aux fausses informations ; les familles demandent des temps "
            "d'échange dédiés."
        ),
    },
    "maintenance": {
        "axes": [5, 2],
        "items": [
            "socle-numerique-ecoles:E5.1",
            "socle-numerique-ecoles:E5.2",
            "crcn:5.1",
        ],
        "demarche": (
            "Un service mutualisé prend en charge la maintenance et l'assistance : un numéro "
            "unique, une intervention à distance quand c'est possible, des techniciens de "
            "secteur sinon. Les engagements de délai sont publiés."
        ),
        "outcomes": (
            "{schools} sites couverts. Le délai moyen de résolution est passé sous deux jours "
            "et les équipements inutilisés faute de maintenance ont quasiment disparu."
        ),
    },
    "familles": {
        "axes": [1, 3],
        "items": ["crcn:2.1", "crcn:5.2", "socle-numerique-ecoles:E4.3"],
        "demarche": (
            "Des ateliers réunissent parents et enfants autour des outils de l'école : ENT, "
            "messagerie, démarches en ligne, usages raisonnés des écrans. Ils se tiennent à "
            "l'école, en fin de journée, avec des médiateurs numériques."
        ),
        "outcomes": (
            "Des familles éloignées de l'école sont revenues vers elle : la consultation de "
            "l'ENT par les parents a nettement progressé dans les écoles participantes."
        ),
    },
    "donnees": {
        "axes": [2, 4],
        "items": ["crcn:4.1", "crcn:4.2", "ressources-numeriques:R2.3"],
        "demarche": (
            "Un délégué à la protection des données mutualisé tient le registre des "
            "traitements des écoles, vérifie les applications utilisées en classe et forme "
            "les directeurs et les agents."
        ),
        "outcomes": (
            "Le registre couvre {schools} écoles ; les applications non conformes ont été "
            "remplacées par des services respectueux des données des élèves."
        ),
    },
    "sobriete": {
        "axes": [5, 6],
        "items": ["socle-numerique-ecoles:E5.3", "crcn:4.3"],
        "demarche": (
            "Les équipements sont reconditionnés par une entreprise d'insertion du territoire, "
            "leur durée d'usage est allongée et une sensibilisation à l'impact environnemental "
            "du numérique est proposée aux élèves."
        ),
        "outcomes": (
            "{pupils} élèves concernés. Le coût par poste a baissé d'un tiers ; la démarche a "
            "été reprise dans le schéma de promotion des achats responsables."
        ),
    },
    "classes-connectees": {
        "axes": [1, 5],
        "items": ["crcn:2.1", "crcn:2.3", "socle-numerique-ecoles:E2.1"],
        "demarche": (
            "Les classes sont reliées par visioconférence pour des cours partagés, des "
            "projets communs et des interventions d'experts. Un équipement de captation est "
            "installé dans chaque salle et les enseignants se coordonnent sur l'ENT."
        ),
        "outcomes": (
            "Les élèves de petites structures accèdent à des enseignements et des échanges "
            "qu'elles ne pouvaient pas offrir seules ; {schools} sites participent."
        ),
    },
    "inclusion": {
        "axes": [1, 3],
        "items": ["ressources-numeriques:R3.1", "crcn-edu:F3.3"],
        "demarche": (
            "Des ressources numériques adaptées (synthèse vocale, supports illustrés, "
            "traduction) sont mises à disposition des élèves qui en ont besoin, avec un "
            "accompagnement des enseignants."
        ),
        "outcomes": (
            "{pupils} élèves en ont bénéficié ; les enseignants soulignent des progrès en "
            "compréhension écrite et une meilleure participation en classe."
        ),
    },
    "gouvernance": {
        "axes": [2],
        "items": ["socle-numerique-ecoles:E1.1", "socle-numerique-ecoles:E4.1"],
        "demarche": (
            "Un schéma territorial est élaboré avec l'académie, les établissements et les "
            "partenaires : état des lieux, objectifs, calendrier et instances de suivi."
        ),
        "outcomes": "Le schéma est en cours de rédaction.",
    },
}

LEVEL_CONTEXT = {
    "commune": (
        "La commune a la charge des écoles maternelles et élémentaires : locaux, "
        "équipements, accès au réseau. {who} a souhaité que le numérique serve les "
        "apprentissages de tous les élèves, dans le temps scolaire et autour de l'école."
    ),
    "epci": (
        "{who} exerce pour ses communes membres une partie des compétences liées aux "
        "écoles, ce qui permet de mutualiser achats, maintenance et expertise."
    ),
    "department": (
        "Le département construit, équipe et entretient les collèges publics. {who} a fait du "
        "numérique éducatif une priorité de son plan collèges."
    ),
    "region": (
        "La région construit, équipe et entretient les lycées publics. {who} accompagne aussi "
        "les familles pour l'équipement individuel des lycéens."
    ),
}

# --- Initiatives ------------------------------------------------------------------------------

# lead: (level, INSEE code or SIREN for EPCI). who: the collectivity as written in a sentence.
# start: (year, month). comment: the reviewer's words for request_changes or reject.
# rounds: 1 when the reviewer asked for changes once before publishing.
INITIATIVES = [
    # Île-de-France
    {
        "slug": "seine-saint-denis-ordinateur-collegiens",
        "title": "Un ordinateur portable pour chaque collégien de Seine-Saint-Denis",
        "summary": "Le département prête un ordinateur portable à chaque élève entrant en "
        "sixième, avec les ressources et l'ENT des collèges.",
        "lead": ("department", "93"),
        "who": "Le conseil départemental de la Seine-Saint-Denis",
        "org": "ADF",
        "status": "published",
        "theme": "mobiles",
        "levels": ["college"],
        "partners": ["MEN", "CDC"],
        "start": (2016, 9),
        "months": 48,
        "budget": 24_000_000,
        "schools": 130,
        "pupils": 68_000,
        "contact": True,
    },
    {
        "slug": "grigny-ateliers-parents-enfants",
        "title": "Ateliers numériques parents-enfants dans les écoles de Grigny",
        "summary": "Chaque semaine, des médiateurs accueillent parents et enfants à l'école "
        "pour apprendre à utiliser l'ENT et les démarches en ligne.",
        "lead": ("commune", "91286"),
        "who": "La ville de Grigny",
        "org": "AMVBF",
        "status": "published",
        "theme": "familles",
        "levels": ["elementaire", "periscolaire"],
        "partners": ["RFVE"],
        "start": (2018, 1),
        "months": 36,
        "budget": 180_000,
        "schools": 9,
        "pupils": 2_100,
        "contact": True,
    },
    {
        "slug": "ile-de-france-manuels-numeriques-lycees",
        "title": "Manuels numériques gratuits dans les lycées franciliens",
        "summary": "La région fournit manuels numériques et ordinateurs portables aux "
        "lycéens, avec un accès unique aux ressources par l'ENT.",
        "lead": ("region", "11"),
        "who": "La région Île-de-France",
        "org": "ARF",
        "status": "published",
        "theme": "ressources",
        "levels": ["lycee"],
        "partners": ["MEN"],
        "start": (2019, 9),
        "months": 36,
        "budget": 98_000_000,
        "schools": 470,
        "pupils": 350_000,
        "rounds": 1,
    },
    {
        "slug": "paris-ecrans-interactifs-ecoles",
        "title": "Écrans numériques interactifs dans les écoles élémentaires parisiennes",
        "summary": "Remplacement des vidéoprojecteurs en fin de vie par des écrans "
        "interactifs et formation des enseignants à leur usage.",
        "lead": ("commune", "75056"),
        "who": "La Ville de Paris",
        "org": "AMGVF",
        "status": "submitted",
        "theme": "classe",
        "levels": ["maternelle", "elementaire"],
        "partners": ["MEN"],
        "start": (2026, 1),
        "months": 36,
        "budget": 12_500_000,
        "schools": 320,
        "pupils": 90_000,
    },
    {
        "slug": "gpseo-maintenance-ecoles",
        "title": "Maintenance informatique mutualisée des écoles de Grand Paris Seine & Oise",
        "summary": "Un service intercommunal unique assure maintenance et assistance pour les "
        "écoles des communes membres qui le souhaitent.",
        "lead": ("epci", "200059889"),
        "who": "La communauté urbaine Grand Paris Seine & Oise",
        "org": "AMF",
        "status": "in_review",
        "theme": "maintenance",
        "levels": ["maternelle", "elementaire"],
        "partners": ["CDC"],
        "start": (2025, 9),
        "months": 48,
        "budget": 1_400_000,
        "schools": 210,
        "pupils": 32_000,
        "contact": True,
    },
    {
        "slug": "sevran-web-radio-ecoles",
        "title": "Une web radio dans chaque école de Sevran",
        "summary": "Les élèves produisent des émissions sur la vie de leur quartier et "
        "apprennent à vérifier une information avant de la diffuser.",
        "lead": ("commune", "93071"),
        "who": "La ville de Sevran",
        "org": "AMVBF",
        "status": "archived",
        "theme": "citoyennete",
        "levels": ["elementaire", "periscolaire"],
        "partners": ["RFVE"],
        "start": (2016, 10),
        "months": 24,
        "budget": 85_000,
        "schools": 18,
        "pupils": 4_200,
    },
    # Centre-Val de Loire
    {
        "slug": "centre-val-de-loire-ent-lycees",
        "title": "Un espace numérique de travail commun aux lycées du Centre-Val de Loire",
        "summary": "Un ENT unique pour les lycées publics et privés de la région, relié au "
        "gestionnaire d'accès aux ressources.",
        "lead": ("region", "24"),
        "who": "La région Centre-Val de Loire",
        "org": "ARF",
        "status": "published",
        "theme": "ent",
        "levels": ["lycee"],
        "partners": ["MEN"],
        "start": (2017, 9),
        "months": 60,
        "budget": 6_200_000,
        "schools": 100,
        "pupils": 75_000,
    },
    {
        "slug": "indre-fibre-colleges-ruraux",
        "title": "La fibre optique jusqu'aux collèges ruraux de l'Indre",
        "summary": "Raccordement en fibre des 23 collèges publics du département, en priorité "
        "ceux des zones les moins bien desservies.",
        "lead": ("department", "36"),
        "who": "Le conseil départemental de l'Indre",
        "org": "ADF",
        "status": "published",
        "theme": "connectivite",
        "levels": ["college"],
        "partners": ["CDC", "AMRF"],
        "start": (2018, 3),
        "months": 30,
        "budget": 2_300_000,
        "schools": 23,
        "pupils": 8_600,
    },
    {
        "slug": "tours-coding-gouters",
        "title": "Des « coding goûters » dans les accueils périscolaires de Tours",
        "summary": "Après la classe, les enfants découvrent la programmation en jouant, "
        "encadrés par des animateurs formés avec les enseignants.",
        "lead": ("commune", "37261"),
        "who": "La ville de Tours",
        "org": "AMF",
        "status": "published",
        "theme": "programmation",
        "levels": ["elementaire", "periscolaire"],
        "partners": ["Villes Internet"],
        "start": (2019, 10),
        "months": 24,
        "budget": 60_000,
        "schools": 42,
        "pupils": 1_800,
        "contact": True,
    },
    {
        "slug": "orleans-semaine-sobriete-numerique",
        "title": "Une semaine de la sobriété numérique dans les écoles d'Orléans",
        "summary": "Défis, ateliers de réparation et mesure de la consommation des "
        "équipements pour sensibiliser élèves et familles.",
        "lead": ("commune", "45234"),
        "who": "La ville d'Orléans",
        "org": "Villes Internet",
        "status": "draft",
        "theme": "sobriete",
        "levels": ["elementaire"],
        "partners": [],
        "start": (2027, 3),
        "months": 6,
        "budget": 25_000,
        "schools": 40,
        "pupils": 7_000,
    },
    # Bourgogne-Franche-Comté
    {
        "slug": "nievre-tablettes-colleges",
        "title": "Classes mobiles de tablettes pour les collèges de la Nièvre",
        "summary": "Trois classes mobiles par collège, financées avec l'État dans le cadre du "
        "plan numérique pour l'éducation.",
        "lead": ("department", "58"),
        "who": "Le conseil départemental de la Nièvre",
        "org": "ADF",
        "status": "archived",
        "theme": "mobiles",
        "levels": ["college"],
        "partners": ["MEN"],
        "start": (2016, 1),
        "months": 36,
        "budget": 1_100_000,
        "schools": 27,
        "pupils": 9_500,
    },
    {
        "slug": "dijon-robotique-ecoles",
        "title": "La robotique pédagogique dans les écoles de Dijon",
        "summary": "Des robots et des cartes programmables circulent entre les écoles, avec "
        "des séquences clés en main pour les cycles 2 et 3.",
        "lead": ("commune", "21231"),
        "who": "La ville de Dijon",
        "org": "AMGVF",
        "status": "published",
        "theme": "programmation",
        "levels": ["elementaire"],
        "partners": ["MEN"],
        "start": (2021, 9),
        "months": 36,
        "budget": 240_000,
        "schools": 75,
        "pupils": 9_800,
    },
    {
        "slug": "haut-jura-visioconference-ecoles",
        "title": "Visioconférence entre les écoles rurales du Haut-Jura",
        "summary": "Les classes uniques et les petites écoles de montagne travaillent "
        "ensemble à distance : chorale, langues vivantes, projets scientifiques.",
        "lead": ("epci", "200026573"),
        "who": "La communauté de communes Haut-Jura Saint-Claude",
        "org": "AMF",
        "status": "published",
        "theme": "classes-connectees",
        "levels": ["maternelle", "elementaire"],
        "partners": ["AMRF", "MEN"],
        "start": (2017, 9),
        "months": 36,
        "budget": 320_000,
        "schools": 31,
        "pupils": 1_900,
    },
    {
        "slug": "grand-besancon-bus-numerique",
        "title": "Un bus numérique itinérant pour les écoles de Grand Besançon Métropole",
        "summary": "Un atelier mobile équipé d'imprimantes 3D, de robots et d'ordinateurs "
        "passe une semaine dans chaque école du territoire.",
        "lead": ("epci", "242500361"),
        "who": "Grand Besançon Métropole",
        "org": "AMF",
        "status": "draft",
        "theme": "programmation",
        "levels": ["elementaire", "periscolaire"],
        "partners": ["CDC"],
        "start": (2027, 1),
        "months": 36,
        "budget": 450_000,
        "schools": 68,
        "pupils": 11_000,
    },
    # Normandie
    {
        "slug": "normandie-ordinateur-lyceens",
        "title": "Un ordinateur portable pour chaque lycéen normand",
        "summary": "La région équipe les élèves entrant en seconde et généralise les manuels "
        "numériques dans les lycées publics.",
        "lead": ("region", "28"),
        "who": "La région Normandie",
        "org": "ARF",
        "status": "published",
        "theme": "mobiles",
        "levels": ["lycee"],
        "partners": ["MEN"],
        "start": (2019, 9),
        "months": 48,
        "budget": 48_000_000,
        "schools": 150,
        "pupils": 95_000,
    },
    {
        "slug": "manche-education-medias-colleges",
        "title": "Éducation aux médias et à l'information dans les collèges de la Manche",
        "summary": "Journalistes en résidence, rédactions de classe et ateliers contre les "
        "fausses informations dans tous les collèges du département.",
        "lead": ("department", "50"),
        "who": "Le conseil départemental de la Manche",
        "org": "ADF",
        "status": "published",
        "theme": "citoyennete",
        "levels": ["college"],
        "partners": ["MEN", "RFVE"],
        "start": (2020, 9),
        "months": 36,
        "budget": 210_000,
        "schools": 51,
        "pupils": 19_000,
        "rounds": 1,
    },
    {
        "slug": "le-havre-plan-ecoles-numeriques",
        "title": "Plan écoles numériques du Havre 2024-2028",
        "summary": "Renouvellement complet des équipements des écoles sur cinq ans.",
        "lead": ("commune", "76351"),
        "who": "La ville du Havre",
        "org": "AMGVF",
        "status": "rejected",
        "theme": "classe",
        "levels": ["maternelle", "elementaire"],
        "partners": [],
        "start": (2024, 9),
        "months": 48,
        "budget": 8_000_000,
        "schools": 75,
        "pupils": 14_000,
        "comment": "La fiche décrit un marché d'équipement sans volet pédagogique ni premiers "
        "résultats : elle ne peut pas être valorisée en l'état. Elle pourra être proposée à "
        "nouveau après la première année de déploiement.",
    },
    {
        "slug": "bagnoles-tiers-lieu-ecole",
        "title": "Un tiers-lieu numérique ouvert aux familles à l'école de Bagnoles de l'Orne",
        "summary": "La salle informatique de l'école devient, après la classe, un lieu "
        "d'accompagnement numérique pour les familles du village.",
        "lead": ("commune", "61483"),
        "who": "La commune de Bagnoles de l'Orne Normandie",
        "org": "AMRF",
        "status": "published",
        "theme": "familles",
        "levels": ["elementaire", "periscolaire"],
        "partners": ["CDC"],
        "start": (2022, 1),
        "months": 24,
        "budget": 95_000,
        "schools": 2,
        "pupils": 210,
        "contact": True,
    },
    {
        "slug": "caen-videoprojecteurs-interactifs",
        "title": "Vidéoprojecteurs interactifs dans toutes les classes de Caen",
        "summary": "Équipement de toutes les classes élémentaires en vidéoprojecteurs "
        "interactifs, avec une formation de proximité des enseignants.",
        "lead": ("commune", "14118"),
        "who": "La ville de Caen",
        "org": "AMF",
        "status": "archived",
        "theme": "classe",
        "levels": ["elementaire"],
        "partners": ["MEN"],
        "start": (2016, 9),
        "months": 36,
        "budget": 1_300_000,
        "schools": 45,
        "pupils": 6_800,
    },
    # Hauts-de-France
    {
        "slug": "hauts-de-france-wifi-lycees",
        "title": "Le Wi-Fi dans tous les lycées des Hauts-de-France",
        "summary": "Couverture Wi-Fi complète des salles de classe, des CDI et des internats, "
        "avec un filtrage commun géré par la région.",
        "lead": ("region", "32"),
        "who": "La région Hauts-de-France",
        "org": "ARF",
        "status": "published",
        "theme": "connectivite",
        "levels": ["lycee"],
        "partners": ["CDC"],
        "start": (2018, 1),
        "months": 48,
        "budget": 35_000_000,
        "schools": 270,
        "pupils": 220_000,
    },
    {
        "slug": "pas-de-calais-maintenance-colleges",
        "title": "Maintenance informatique mutualisée des collèges du Pas-de-Calais",
        "summary": "Des techniciens départementaux de secteur et un centre de services "
        "unique pour les 125 collèges publics.",
        "lead": ("department", "62"),
        "who": "Le conseil départemental du Pas-de-Calais",
        "org": "ADF",
        "status": "published",
        "theme": "maintenance",
        "levels": ["college"],
        "partners": [],
        "start": (2017, 1),
        "months": 60,
        "budget": 4_800_000,
        "schools": 125,
        "pupils": 62_000,
        "contact": True,
    },
    {
        "slug": "roubaix-classe-hors-les-murs",
        "title": "La classe numérique hors les murs à Roubaix",
        "summary": "Des classes sortent au musée, à la médiathèque et dans les entreprises du "
        "quartier avec tablettes et visioconférence pour garder le lien avec l'école.",
        "lead": ("commune", "59512"),
        "who": "La ville de Roubaix",
        "org": "AMVBF",
        "status": "changes_requested",
        "theme": "classes-connectees",
        "levels": ["elementaire"],
        "partners": [],
        "start": (2026, 3),
        "months": 24,
        "budget": 140_000,
        "schools": 12,
        "pupils": 2_600,
        "comment": "Merci de préciser les partenaires associatifs, le calendrier par école et "
        "les indicateurs de suivi retenus.",
    },
    {
        "slug": "amiens-parcours-citoyennete-numerique",
        "title": "Un parcours de citoyenneté numérique pour les CM1 et CM2 d'Amiens",
        "summary": "Six séances pour apprendre à protéger sa vie privée, réagir au "
        "cyberharcèlement et vérifier une information.",
        "lead": ("commune", "80021"),
        "who": "La ville d'Amiens",
        "org": "Villes Internet",
        "status": "published",
        "theme": "citoyennete",
        "levels": ["elementaire"],
        "partners": ["MEN"],
        "start": (2022, 9),
        "months": 36,
        "budget": 75_000,
        "schools": 60,
        "pupils": 5_400,
    },
    # Grand Est
    {
        "slug": "grand-est-lycee-4-0",
        "title": "Lycée 4.0 : manuels numériques et ordinateurs pour les lycéens du Grand Est",
        "summary": "Les manuels papier laissent la place aux ressources numériques, sur un "
        "ordinateur fourni à chaque élève entrant en seconde.",
        "lead": ("region", "44"),
        "who": "La région Grand Est",
        "org": "ARF",
        "status": "published",
        "theme": "ressources",
        "levels": ["lycee"],
        "partners": ["MEN"],
        "start": (2017, 9),
        "months": 60,
        "budget": 85_000_000,
        "schools": 350,
        "pupils": 210_000,
    },
    {
        "slug": "moselle-colleges-numeriques",
        "title": "Collèges numériques mosellans : ENT et tablettes en sixième",
        "summary": "Un ENT pour tous les collèges et des tablettes pour les classes de "
        "sixième, au titre du plan numérique pour l'éducation.",
        "lead": ("department", "57"),
        "who": "Le conseil départemental de la Moselle",
        "org": "ADF",
        "status": "archived",
        "theme": "ent",
        "levels": ["college"],
        "partners": ["MEN"],
        "start": (2016, 9),
        "months": 36,
        "budget": 3_900_000,
        "schools": 92,
        "pupils": 45_000,
    },
    {
        "slug": "strasbourg-laboratoire-pedagogique",
        "title": "Un laboratoire d'innovation pédagogique pour les écoles de Strasbourg",
        "summary": "Un lieu où les enseignants testent équipements et ressources avant de les "
        "adopter, animé avec les conseillers pédagogiques au numérique.",
        "lead": ("commune", "67482"),
        "who": "La ville de Strasbourg",
        "org": "AMGVF",
        "status": "published",
        "theme": "formation",
        "levels": ["maternelle", "elementaire"],
        "partners": ["MEN"],
        "start": (2020, 1),
        "months": 48,
        "budget": 520_000,
        "schools": 112,
        "pupils": 21_000,
    },
    {
        "slug": "mulhouse-ateliers-periscolaires",
        "title": "Ateliers numériques du temps périscolaire à Mulhouse, ville éducatrice",
        "summary": "Photo, vidéo, cartographie et information : les accueils du soir "
        "deviennent des ateliers de culture numérique.",
        "lead": ("commune", "68224"),
        "who": "La ville de Mulhouse",
        "org": "RFVE",
        "status": "published",
        "theme": "citoyennete",
        "levels": ["elementaire", "periscolaire"],
        "partners": [],
        "start": (2018, 9),
        "months": 36,
        "budget": 130_000,
        "schools": 56,
        "pupils": 6_200,
    },
    {
        "slug": "stenay-classe-mobile-partagee",
        "title": "Une classe mobile partagée entre les écoles de Stenay",
        "summary": "Seize tablettes dans une valise de recharge, prêtées à tour de rôle aux "
        "classes de la commune.",
        "lead": ("commune", "55502"),
        "who": "La commune de Stenay",
        "org": "AMRF",
        "status": "submitted",
        "theme": "mobiles",
        "levels": ["maternelle", "elementaire"],
        "partners": [],
        "start": (2026, 9),
        "months": 24,
        "budget": 38_000,
        "schools": 3,
        "pupils": 240,
    },
    # Pays de la Loire
    {
        "slug": "pays-de-la-loire-e-lyco",
        "title": "e-lyco : un ENT partagé par les lycées et les collèges des Pays de la Loire",
        "summary": "La région et les cinq départements partagent un même espace numérique de "
        "travail, du collège au lycée.",
        "lead": ("region", "52"),
        "who": "La région des Pays de la Loire",
        "org": "ARF",
        "status": "published",
        "theme": "ent",
        "levels": ["college", "lycee"],
        "partners": ["ADF", "MEN"],
        "start": (2016, 9),
        "months": 60,
        "budget": 7_500_000,
        "schools": 480,
        "pupils": 330_000,
        "contact": True,
    },
    {
        "slug": "vendee-colleges-connectes",
        "title": "Collèges connectés en Vendée : très haut débit et tablettes",
        "summary": "Raccordement en fibre de tous les collèges et tablettes pour les élèves de "
        "cinquième.",
        "lead": ("department", "85"),
        "who": "Le conseil départemental de la Vendée",
        "org": "ADF",
        "status": "published",
        "theme": "mobiles",
        "levels": ["college"],
        "partners": ["CDC"],
        "start": (2016, 9),
        "months": 48,
        "budget": 9_000_000,
        "schools": 31,
        "pupils": 17_000,
        "extra_items": ["socle-numerique-ecoles:E1.1"],
    },
    {
        "slug": "nantes-fab-lab-ecoles",
        "title": "Un fab lab éducatif itinérant pour les écoles nantaises",
        "summary": "Découpe laser, impression 3D et électronique : les élèves fabriquent "
        "les objets qu'ils ont conçus en classe.",
        "lead": ("commune", "44109"),
        "who": "La ville de Nantes",
        "org": "AMGVF",
        "status": "published",
        "theme": "programmation",
        "levels": ["elementaire", "periscolaire"],
        "partners": [],
        "start": (2019, 1),
        "months": 36,
        "budget": 310_000,
        "schools": 98,
        "pupils": 12_000,
    },
    {
        "slug": "angers-charte-sobriete-numerique",
        "title": "Une charte de sobriété numérique pour les écoles d'Angers",
        "summary": "Allonger la durée de vie des équipements, réduire les impressions et "
        "apprendre aux élèves l'impact environnemental du numérique.",
        "lead": ("commune", "49007"),
        "who": "La ville d'Angers",
        "org": "Villes Internet",
        "status": "submitted",
        "theme": "sobriete",
        "levels": ["maternelle", "elementaire"],
        "partners": [],
        "start": (2026, 9),
        "months": 24,
        "budget": 45_000,
        "schools": 64,
        "pupils": 9_500,
    },
    # Bretagne
    {
        "slug": "bretagne-ent-unifie-lycees",
        "title": "ENT unifié pour les lycées de Bretagne",
        "summary": "Un seul espace numérique de travail pour tous les lycées publics bretons, "
        "avec les ressources en langue bretonne.",
        "lead": ("region", "53"),
        "who": "La région Bretagne",
        "org": "ARF",
        "status": "published",
        "theme": "ent",
        "levels": ["lycee"],
        "partners": ["MEN", "ADF"],
        "start": (2017, 9),
        "months": 48,
        "budget": 5_400_000,
        "schools": 115,
        "pupils": 88_000,
        "extra_items": ["ressources-numeriques:R3.2"],
    },
    {
        "slug": "finistere-programmer-college",
        "title": "Apprendre à programmer au collège dans le Finistère",
        "summary": "Cartes programmables, robots et défis inter-collèges pour le cycle 4.",
        "lead": ("department", "29"),
        "who": "Le conseil départemental du Finistère",
        "org": "ADF",
        "status": "published",
        "theme": "programmation",
        "levels": ["college"],
        "partners": ["MEN"],
        "start": (2018, 9),
        "months": 36,
        "budget": 400_000,
        "schools": 61,
        "pupils": 28_000,
    },
    {
        "slug": "rennes-programmation-creative",
        "title": "Ateliers de programmation créative dans les écoles rennaises",
        "summary": "Jeux, récits animés et musique programmée, du CP au CM2, avec les "
        "bibliothèques de la ville.",
        "lead": ("commune", "35238"),
        "who": "La ville de Rennes",
        "org": "AMGVF",
        "status": "in_review",
        "theme": "programmation",
        "levels": ["elementaire"],
        "partners": [],
        "start": (2026, 1),
        "months": 36,
        "budget": 180_000,
        "schools": 85,
        "pupils": 13_000,
    },
    {
        "slug": "guemene-ecole-ouverte-numerique",
        "title": "L'école de Guémené-sur-Scorff s'ouvre au numérique",
        "summary": "Une petite école rurale équipée d'un écran interactif et reliée à une "
        "classe jumelle de Lorient pour des projets communs.",
        "lead": ("commune", "56073"),
        "who": "La commune de Guémené-sur-Scorff",
        "org": "AMRF",
        "status": "published",
        "theme": "classes-connectees",
        "levels": ["maternelle", "elementaire"],
        "partners": ["CDC"],
        "start": (2021, 3),
        "months": 18,
        "budget": 42_000,
        "schools": 2,
        "pupils": 150,
    },
    # Nouvelle-Aquitaine
    {
        "slug": "nouvelle-aquitaine-ressources-lycees",
        "title": "Ressources pédagogiques numériques pour les lycées de Nouvelle-Aquitaine",
        "summary": "Manuels et banques de ressources numériques pour tous les lycéens, "
        "accessibles par le GAR.",
        "lead": ("region", "75"),
        "who": "La région Nouvelle-Aquitaine",
        "org": "ARF",
        "status": "published",
        "theme": "ressources",
        "levels": ["lycee"],
        "partners": ["MEN"],
        "start": (2019, 9),
        "months": 48,
        "budget": 26_000_000,
        "schools": 290,
        "pupils": 225_000,
    },
    {
        "slug": "landes-ordinateur-collegien",
        "title": "Un ordinateur portable pour chaque collégien des Landes",
        "summary": "L'opération pionnière du département, engagée au début des années 2000, "
        "renouvelée avec des ressources numériques et un ENT.",
        "lead": ("department", "40"),
        "who": "Le conseil départemental des Landes",
        "org": "ADF",
        "status": "published",
        "theme": "mobiles",
        "levels": ["college"],
        "partners": [],
        "start": (2016, 9),
        "months": 72,
        "budget": 6_500_000,
        "schools": 38,
        "pupils": 16_000,
        "contact": True,
    },
    {
        "slug": "bordeaux-tableaux-interactifs-ecoles",
        "title": "Tableaux numériques interactifs dans toutes les écoles élémentaires de Bordeaux",
        "summary": "Chaque classe élémentaire équipée, les enseignants formés par petits "
        "groupes dans leur école.",
        "lead": ("commune", "33063"),
        "who": "La ville de Bordeaux",
        "org": "AMGVF",
        "status": "published",
        "theme": "classe",
        "levels": ["elementaire"],
        "partners": [],
        "start": (2017, 1),
        "months": 36,
        "budget": 2_900_000,
        "schools": 105,
        "pupils": 15_500,
    },
    {
        "slug": "creuse-visioconference-options-rares",
        "title": "Collèges creusois : la visioconférence pour suivre des options rares",
        "summary": "Latin, langues régionales et chinois enseignés à distance aux élèves des "
        "petits collèges du département.",
        "lead": ("department", "23"),
        "who": "Le conseil départemental de la Creuse",
        "org": "ADF",
        "status": "changes_requested",
        "theme": "classes-connectees",
        "levels": ["college"],
        "partners": ["MEN"],
        "start": (2026, 9),
        "months": 36,
        "budget": 160_000,
        "schools": 17,
        "pupils": 4_100,
        "comment": "La fiche ne précise ni les collèges concernés ni l'encadrement des élèves "
        "pendant les cours à distance : merci de compléter ces deux points.",
    },
    {
        "slug": "meymac-ecole-numerique-rurale",
        "title": "École numérique rurale à Meymac : tablettes et vidéoprojection",
        "summary": "Avec l'appel à projets pour un socle numérique, l'école communale s'équipe "
        "et forme son équipe.",
        "lead": ("commune", "19136"),
        "who": "La commune de Meymac",
        "org": "AMRF",
        "status": "published",
        "theme": "mobiles",
        "levels": ["maternelle", "elementaire"],
        "partners": ["MEN"],
        "start": (2021, 9),
        "months": 12,
        "budget": 28_000,
        "schools": 1,
        "pupils": 190,
        "extra_items": ["socle-numerique-ecoles:E2.1"],
    },
    # Occitanie
    {
        "slug": "occitanie-lordi-lyceens",
        "title": "LoRdi : un ordinateur portable pour chaque lycéen d'Occitanie",
        "summary": "Un ordinateur remis gratuitement à l'entrée en seconde, avec des "
        "logiciels libres et un accompagnement à la prise en main.",
        "lead": ("region", "76"),
        "who": "La région Occitanie",
        "org": "ARF",
        "status": "published",
        "theme": "mobiles",
        "levels": ["lycee"],
        "partners": ["MEN"],
        "start": (2017, 9),
        "months": 60,
        "budget": 75_000_000,
        "schools": 360,
        "pupils": 230_000,
    },
    {
        "slug": "lozere-tres-haut-debit-colleges",
        "title": "Très haut débit par fibre et par satellite pour les collèges de Lozère",
        "summary": "Fibre là où elle arrive, satellite ailleurs : tous les collèges disposent "
        "d'au moins 30 Mbit/s.",
        "lead": ("department", "48"),
        "who": "Le conseil départemental de la Lozère",
        "org": "ADF",
        "status": "published",
        "theme": "connectivite",
        "levels": ["college"],
        "partners": ["CDC"],
        "start": (2017, 1),
        "months": 24,
        "budget": 650_000,
        "schools": 13,
        "pupils": 3_300,
    },
    {
        "slug": "toulouse-plan-numerique-ecoles",
        "title": "Écoles toulousaines : un plan numérique pour 200 écoles",
        "summary": "Écrans interactifs, classes mobiles et maintenance renforcée, école par "
        "école, sur cinq ans.",
        "lead": ("commune", "31555"),
        "who": "La ville de Toulouse",
        "org": "AMGVF",
        "status": "published",
        "theme": "classe",
        "levels": ["maternelle", "elementaire"],
        "partners": ["MEN"],
        "start": (2018, 9),
        "months": 60,
        "budget": 11_000_000,
        "schools": 205,
        "pupils": 38_000,
        "rounds": 1,
    },
    {
        "slug": "montpellier-metropole-ent-ecoles",
        "title": "Un ENT pour les écoles de Montpellier Méditerranée Métropole",
        "summary": "Proposition d'un espace numérique de travail unique pour les écoles des "
        "31 communes de la métropole.",
        "lead": ("epci", "243400017"),
        "who": "Montpellier Méditerranée Métropole",
        "org": "AMGVF",
        "status": "rejected",
        "theme": "ent",
        "levels": ["elementaire"],
        "partners": [],
        "start": (2025, 9),
        "months": 36,
        "budget": 900_000,
        "schools": 150,
        "pupils": 25_000,
        "comment": "La compétence scolaire n'a pas été transférée à la métropole : la fiche "
        "doit être portée par les communes qui mettent en œuvre le projet. Merci de la "
        "redéposer sous cette forme.",
    },
    {
        "slug": "laguiole-classe-connectee-aubrac",
        "title": "Une classe numérique connectée à Laguiole, sur l'Aubrac",
        "summary": "La classe unique de la commune suit des projets communs avec trois écoles "
        "du plateau grâce à la visioconférence.",
        "lead": ("commune", "12119"),
        "who": "La commune de Laguiole",
        "org": "AMRF",
        "status": "submitted",
        "theme": "classes-connectees",
        "levels": ["elementaire"],
        "partners": [],
        "start": (2026, 9),
        "months": 24,
        "budget": 35_000,
        "schools": 1,
        "pupils": 95,
    },
    {
        "slug": "gers-schema-numerique-educatif",
        "title": "Schéma départemental du numérique éducatif du Gers",
        "summary": "Un cadre pluriannuel pour les collèges : équipements, réseau, ENT et "
        "accompagnement des équipes.",
        "lead": ("department", "32"),
        "who": "Le conseil départemental du Gers",
        "org": "ADF",
        "status": "draft",
        "theme": "gouvernance",
        "levels": ["college"],
        "partners": ["MEN"],
        "start": (2027, 1),
        "months": 60,
        "budget": 2_000_000,
        "schools": 20,
        "pupils": 8_500,
    },
    {
        "slug": "perpignan-prevention-cyberharcelement",
        "title": "Prévenir le cyberharcèlement avec les élèves de CM2 de Perpignan",
        "summary": "Des séances animées avec la police municipale et des associations avant "
        "l'entrée au collège.",
        "lead": ("commune", "66136"),
        "who": "La ville de Perpignan",
        "org": "AMF",
        "status": "draft",
        "theme": "citoyennete",
        "levels": ["elementaire"],
        "partners": [],
        "start": (2027, 1),
        "months": 12,
        "budget": 30_000,
        "schools": 45,
        "pupils": 1_600,
    },
    # Auvergne-Rhône-Alpes
    {
        "slug": "ain-tablettes-collegiens",
        "title": "Des tablettes pour tous les collégiens de l'Ain",
        "summary": "Une tablette par élève, de la sixième à la troisième, et des ressources "
        "numériques choisies avec les équipes.",
        "lead": ("department", "01"),
        "who": "Le conseil départemental de l'Ain",
        "org": "ADF",
        "status": "published",
        "theme": "mobiles",
        "levels": ["college"],
        "partners": ["MEN"],
        "start": (2017, 9),
        "months": 48,
        "budget": 8_200_000,
        "schools": 47,
        "pupils": 30_000,
        "contact": True,
    },
    {
        "slug": "cantal-tres-haut-debit-ecoles-rurales",
        "title": "Câblage très haut débit des écoles rurales du Cantal",
        "summary": "Le département finance avec les communes le raccordement et le câblage des "
        "écoles des plus petites communes.",
        "lead": ("department", "15"),
        "who": "Le conseil départemental du Cantal",
        "org": "ADF",
        "status": "published",
        "theme": "connectivite",
        "levels": ["maternelle", "elementaire"],
        "partners": ["AMRF", "CDC"],
        "start": (2019, 1),
        "months": 36,
        "budget": 1_900_000,
        "schools": 145,
        "pupils": 9_800,
    },
    {
        "slug": "lyon-animateurs-numeriques-ecoles",
        "title": "Écoles lyonnaises : des animateurs numériques aux côtés des enseignants",
        "summary": "Une équipe municipale d'animateurs accompagne les enseignants dans leurs "
        "projets numériques, en classe.",
        "lead": ("commune", "69123"),
        "who": "La ville de Lyon",
        "org": "AMGVF",
        "status": "published",
        "theme": "formation",
        "levels": ["maternelle", "elementaire"],
        "partners": ["MEN"],
        "start": (2018, 9),
        "months": 48,
        "budget": 1_600_000,
        "schools": 206,
        "pupils": 36_000,
    },
    {
        "slug": "auvergne-rhone-alpes-manuels-numeriques",
        "title": "Manuels numériques et ordinateurs pour les lycées d'Auvergne-Rhône-Alpes",
        "summary": "Première vague de manuels numériques et d'ordinateurs dans les lycées de "
        "la région, remplacée depuis par un nouveau programme.",
        "lead": ("region", "84"),
        "who": "La région Auvergne-Rhône-Alpes",
        "org": "ARF",
        "status": "archived",
        "theme": "ressources",
        "levels": ["lycee"],
        "partners": ["MEN"],
        "start": (2016, 9),
        "months": 36,
        "budget": 40_000_000,
        "schools": 300,
        "pupils": 250_000,
    },
    {
        "slug": "grenoble-delegue-protection-donnees-ecoles",
        "title": "Un délégué à la protection des données mutualisé pour les écoles de Grenoble",
        "summary": "Registre des traitements, vérification des applications et formation des "
        "directeurs d'école au RGPD.",
        "lead": ("commune", "38185"),
        "who": "La ville de Grenoble",
        "org": "Villes Internet",
        "status": "in_review",
        "theme": "donnees",
        "levels": ["maternelle", "elementaire"],
        "partners": [],
        "start": (2026, 1),
        "months": 24,
        "budget": 60_000,
        "schools": 79,
        "pupils": 11_000,
    },
    {
        "slug": "clermont-tiers-lieu-educatif-familles",
        "title": "Un tiers-lieu éducatif numérique pour les familles de Clermont Auvergne "
        "Métropole",
        "summary": "Aide aux devoirs en ligne, prêt d'ordinateurs et ateliers parents-enfants "
        "dans un lieu ouvert le soir et le samedi.",
        "lead": ("epci", "246300701"),
        "who": "Clermont Auvergne Métropole",
        "org": "AMF",
        "status": "published",
        "theme": "familles",
        "levels": ["elementaire", "periscolaire"],
        "partners": ["CDC", "RFVE"],
        "start": (2022, 9),
        "months": 36,
        "budget": 420_000,
        "schools": 40,
        "pupils": 5_200,
        "contact": True,
    },
    {
        "slug": "vaulx-en-velin-ressources-allophones",
        "title": "Ressources numériques adaptées pour les élèves allophones de Vaulx-en-Velin",
        "summary": "Tablettes avec synthèse vocale et ressources traduites pour les élèves "
        "nouvellement arrivés en France.",
        "lead": ("commune", "69256"),
        "who": "La ville de Vaulx-en-Velin",
        "org": "AMVBF",
        "status": "in_review",
        "theme": "inclusion",
        "levels": ["elementaire"],
        "partners": ["MEN"],
        "start": (2026, 1),
        "months": 24,
        "budget": 55_000,
        "schools": 25,
        "pupils": 1_300,
    },
    # Provence-Alpes-Côte d'Azur
    {
        "slug": "sud-ordinateurs-reconditionnes-lyceens",
        "title": "Ordinateurs reconditionnés pour les lycéens de Provence-Alpes-Côte d'Azur",
        "summary": "Des ordinateurs reconditionnés par des entreprises d'insertion régionales, "
        "remis aux lycéens qui n'en ont pas.",
        "lead": ("region", "93"),
        "who": "La région Provence-Alpes-Côte d'Azur",
        "org": "ARF",
        "status": "published",
        "theme": "sobriete",
        "levels": ["lycee"],
        "partners": ["CDC"],
        "start": (2021, 9),
        "months": 36,
        "budget": 9_000_000,
        "schools": 180,
        "pupils": 60_000,
    },
    {
        "slug": "bouches-du-rhone-ordina13",
        "title": "Ordina13 : un ordinateur et des ressources pour chaque collégien des "
        "Bouches-du-Rhône",
        "summary": "Ordinateur portable, ressources numériques et assistance pour tous les "
        "élèves de quatrième et de troisième.",
        "lead": ("department", "13"),
        "who": "Le conseil départemental des Bouches-du-Rhône",
        "org": "ADF",
        "status": "published",
        "theme": "mobiles",
        "levels": ["college"],
        "partners": [],
        "start": (2016, 9),
        "months": 72,
        "budget": 30_000_000,
        "schools": 136,
        "pupils": 75_000,
    },
    {
        "slug": "marseille-plan-ecoles-numeriques",
        "title": "Plan écoles numériques de Marseille : 470 écoles équipées",
        "summary": "Câblage, écrans interactifs et classes mobiles dans toutes les écoles "
        "publiques, avec l'accompagnement des équipes.",
        "lead": ("commune", "13055"),
        "who": "La ville de Marseille",
        "org": "AMGVF",
        "status": "in_review",
        "theme": "classe",
        "levels": ["maternelle", "elementaire"],
        "partners": ["MEN", "CDC"],
        "start": (2025, 9),
        "months": 60,
        "budget": 28_000_000,
        "schools": 470,
        "pupils": 77_000,
        "extra_items": ["socle-numerique-ecoles:E1.2"],
    },
    {
        "slug": "digne-tablettes-petite-section",
        "title": "Tablettes en petite section dans les écoles de Digne-les-Bains",
        "summary": "Une tablette par élève de petite section pour des applications d'éveil.",
        "lead": ("commune", "04070"),
        "who": "La ville de Digne-les-Bains",
        "org": "AMF",
        "status": "rejected",
        "theme": "mobiles",
        "levels": ["maternelle"],
        "partners": [],
        "start": (2025, 1),
        "months": 12,
        "budget": 22_000,
        "schools": 6,
        "pupils": 320,
        "comment": "Le projet prévoit un usage individuel des écrans en petite section sans "
        "cadre pédagogique défini ni avis de l'inspection : il ne peut pas être valorisé en "
        "l'état.",
    },
    # Corse
    {
        "slug": "corse-lycees-connectes",
        "title": "Lycées connectés de Corse : Wi-Fi et ressources en langue corse",
        "summary": "Couverture Wi-Fi des lycées et bouquet de ressources numériques bilingues.",
        "lead": ("region", "94"),
        "who": "La Collectivité de Corse",
        "org": "ARF",
        "status": "published",
        "theme": "connectivite",
        "levels": ["lycee"],
        "partners": ["MEN"],
        "start": (2020, 9),
        "months": 36,
        "budget": 4_100_000,
        "schools": 14,
        "pupils": 12_000,
        "extra_items": ["ressources-numeriques:R3.2"],
    },
    {
        "slug": "ajaccio-ressources-bilingues",
        "title": "Tablettes et ressources bilingues corse-français dans les écoles d'Ajaccio",
        "summary": "Des classes mobiles et des albums numériques bilingues pour les filières "
        "bilingues des écoles de la ville.",
        "lead": ("commune", "2A004"),
        "who": "La ville d'Ajaccio",
        "org": "AMF",
        "status": "submitted",
        "theme": "ressources",
        "levels": ["maternelle", "elementaire"],
        "partners": [],
        "start": (2026, 9),
        "months": 24,
        "budget": 150_000,
        "schools": 21,
        "pupils": 4_300,
        "extra_items": ["ressources-numeriques:R3.2"],
    },
    # Outre-mer
    {
        "slug": "guadeloupe-continuite-pedagogique",
        "title": "Continuité pédagogique numérique pour les lycées de Guadeloupe",
        "summary": "Après les intempéries, un plan pour que les cours continuent en ligne : "
        "ENT, prêt d'équipements et connexions mobiles.",
        "lead": ("region", "01"),
        "who": "La région Guadeloupe",
        "org": "ARF",
        "status": "published",
        "theme": "ent",
        "levels": ["lycee"],
        "partners": ["MEN"],
        "start": (2018, 1),
        "months": 24,
        "budget": 2_700_000,
        "schools": 43,
        "pupils": 23_000,
    },
    {
        "slug": "fort-de-france-ateliers-familles",
        "title": "Ateliers numériques parents-enfants dans les écoles de Fort-de-France",
        "summary": "Des ateliers du mercredi pour accompagner les familles dans les usages "
        "numériques de l'école.",
        "lead": ("commune", "97209"),
        "who": "La ville de Fort-de-France",
        "org": "AMF",
        "status": "published",
        "theme": "familles",
        "levels": ["elementaire", "periscolaire"],
        "partners": ["RFVE"],
        "start": (2021, 1),
        "months": 24,
        "budget": 90_000,
        "schools": 35,
        "pupils": 2_800,
    },
    {
        "slug": "maripasoula-ecoles-satellite",
        "title": "Connexion par satellite des écoles de Maripasoula, le long du Maroni",
        "summary": "Les écoles des villages accessibles seulement en pirogue sont reliées à "
        "internet par satellite.",
        "lead": ("commune", "97353"),
        "who": "La commune de Maripasoula",
        "org": "AMRF",
        "status": "published",
        "theme": "connectivite",
        "levels": ["maternelle", "elementaire"],
        "partners": ["CDC", "MEN"],
        "start": (2019, 9),
        "months": 24,
        "budget": 380_000,
        "schools": 12,
        "pupils": 3_100,
        "contact": True,
    },
    {
        "slug": "la-reunion-ordinateur-collegien",
        "title": "Un ordinateur portable pour chaque collégien de La Réunion",
        "summary": "Le département remet un ordinateur aux élèves de quatrième et les "
        "accompagne avec un service d'assistance.",
        "lead": ("department", "974"),
        "who": "Le conseil départemental de La Réunion",
        "org": "ADF",
        "status": "published",
        "theme": "mobiles",
        "levels": ["college"],
        "partners": ["MEN"],
        "start": (2017, 9),
        "months": 48,
        "budget": 19_000_000,
        "schools": 79,
        "pupils": 53_000,
    },
    {
        "slug": "mamoudzou-classes-mobiles",
        "title": "Classes mobiles pour les écoles de Mamoudzou",
        "summary": "Des classes mobiles d'ordinateurs portables pour les écoles élémentaires "
        "de la commune, dont les effectifs sont parmi les plus élevés de France.",
        "lead": ("commune", "97611"),
        "who": "La commune de Mamoudzou",
        "org": "AMF",
        "status": "changes_requested",
        "theme": "mobiles",
        "levels": ["elementaire"],
        "partners": ["CDC"],
        "start": (2026, 1),
        "months": 24,
        "budget": 600_000,
        "schools": 48,
        "pupils": 22_000,
        "comment": "Merci d'indiquer la solution retenue pour l'alimentation électrique et la "
        "recharge des équipements, ainsi que le plan de formation des enseignants.",
    },
]

REVIEW_COMMENTS = {
    "publish": "Fiche complète et résultats documentés : publication au catalogue.",
    "request_changes": "Merci de préciser les résultats observés et les indicateurs suivis.",
}

# --- Action plan ------------------------------------------------------------------------------

# milestones: (title, due date, reached on or None)
ACTIONS = [
    {
        "code": "1.1",
        "axis": 1,
        "title": "Recenser et valoriser les usages numériques innovants des territoires",
        "objective": "Donner à voir, dans un catalogue commun, les expériences territoriales "
        "réussies pour que d'autres collectivités puissent s'en inspirer.",
        "leads": ["AMF", "Villes Internet", "MEN"],
        "status": "in_progress",
        "start": D(2016, 1, 15),
        "due": D(2027, 6, 30),
        "milestones": [
            (
                "Ouverture du catalogue des initiatives territoriales",
                D(2016, 6, 30),
                D(2016, 6, 20),
            ),
            ("Cent initiatives publiées", D(2019, 12, 31), D(2019, 11, 15)),
            ("Carte nationale des initiatives en données ouvertes", D(2026, 6, 30), None),
        ],
        "initiatives": ["tours-coding-gouters", "dijon-robotique-ecoles", "nantes-fab-lab-ecoles"],
    },
    {
        "code": "1.2",
        "axis": 1,
        "title": "Généraliser l'éducation aux médias et à l'information à l'école et autour",
        "objective": "Que chaque élève suive, avant la fin du collège, un parcours d'éducation "
        "aux médias associant école, collectivités et associations.",
        "leads": ["RFVE", "AMVBF", "MEN"],
        "status": "in_progress",
        "start": D(2020, 9, 1),
        "due": D(2027, 8, 31),
        "milestones": [
            (
                "Guide des parcours d'éducation aux médias pour les collectivités",
                D(2021, 6, 30),
                D(2021, 9, 15),
            ),
            ("Un projet par département", D(2025, 6, 30), None),
            ("Bilan national", D(2027, 6, 30), None),
        ],
        "initiatives": [
            "manche-education-medias-colleges",
            "amiens-parcours-citoyennete-numerique",
        ],
    },
    {
        "code": "2.1",
        "axis": 2,
        "title": "Installer un comité territorial du numérique éducatif dans chaque académie",
        "objective": "Réunir rectorat et collectivités de chaque académie pour coordonner "
        "équipements, ressources et formation.",
        "leads": ["ADF", "ARF", "MEN"],
        "status": "done",
        "start": D(2016, 1, 1),
        "due": D(2018, 12, 31),
        "milestones": [
            ("Modèle de convention adopté par le comité", D(2016, 6, 30), D(2016, 5, 12)),
            ("Comités installés dans la moitié des académies", D(2017, 6, 30), D(2017, 7, 4)),
            ("Comités installés dans toutes les académies", D(2018, 12, 31), D(2018, 11, 29)),
        ],
        "initiatives": [],
    },
    {
        "code": "2.2",
        "axis": 2,
        "title": "Conventions de partenariat type entre l'État et les collectivités",
        "objective": "Clarifier qui fait quoi (équipement, maintenance, ressources, formation) "
        "dans une convention type adaptable par chaque territoire.",
        "leads": ["AMF", "ADF", "ARF", "MEN"],
        "status": "in_progress",
        "start": D(2022, 1, 1),
        "due": D(2026, 12, 31),
        "milestones": [
            ("Concertation avec les associations d'élus", D(2022, 12, 31), D(2022, 12, 8)),
            ("Convention type publiée", D(2023, 9, 30), D(2024, 1, 18)),
            ("Cinquante conventions signées", D(2026, 12, 31), None),
        ],
        "initiatives": ["pays-de-la-loire-e-lyco"],
    },
    {
        "code": "3.1",
        "axis": 3,
        "title": "Former les enseignants au numérique avec Pix+Édu",
        "objective": "Permettre à chaque enseignant de se positionner et de se former sur le "
        "CRCN Édu, avec l'appui des animateurs numériques des collectivités.",
        "leads": ["MEN", "ARF"],
        "status": "in_progress",
        "start": D(2022, 9, 1),
        "due": D(2027, 12, 31),
        "milestones": [
            ("Ouverture des parcours Pix+Édu à tous les enseignants", D(2023, 9, 1), D(2023, 9, 1)),
            ("Cent mille enseignants positionnés", D(2025, 12, 31), D(2025, 11, 30)),
            ("Certification proposée dans toutes les académies", D(2027, 6, 30), None),
        ],
        "initiatives": ["strasbourg-laboratoire-pedagogique", "lyon-animateurs-numeriques-ecoles"],
    },
    {
        "code": "3.2",
        "axis": 3,
        "title": "Guide du numérique éducatif pour les élus et les agents territoriaux",
        "objective": "Donner aux élus et à leurs services les repères pour décider : "
        "compétences, marchés, données, accompagnement.",
        "leads": ["AMF", "AMRF", "Villes Internet"],
        "status": "done",
        "start": D(2017, 1, 1),
        "due": D(2018, 6, 30),
        "milestones": [
            ("Sommaire validé par le comité", D(2017, 4, 30), D(2017, 4, 27)),
            ("Publication du guide", D(2018, 3, 31), D(2018, 3, 22)),
        ],
        "initiatives": [],
    },
    {
        "code": "4.1",
        "axis": 4,
        "title": "Publier le socle numérique de base des écoles",
        "objective": "Définir avec les communes ce qu'une école doit avoir au minimum pour que "
        "le numérique serve les apprentissages.",
        "leads": ["MEN", "AMF", "AMRF"],
        "status": "done",
        "start": D(2020, 6, 1),
        "due": D(2021, 3, 31),
        "milestones": [
            ("Consultation des associations d'élus", D(2020, 10, 31), D(2020, 10, 20)),
            ("Publication du socle", D(2021, 1, 15), D(2021, 1, 12)),
            (
                "Lancement de l'appel à projets pour les écoles élémentaires",
                D(2021, 3, 31),
                D(2021, 1, 14),
            ),
        ],
        "initiatives": ["meymac-ecole-numerique-rurale"],
    },
    {
        "code": "4.2",
        "axis": 4,
        "title": "Référentiel des services d'infrastructure des écoles et des établissements",
        "objective": "Décrire les services d'infrastructure attendus (réseau, sécurité, "
        "authentification, supervision) pour guider les marchés des collectivités.",
        "leads": ["MEN", "ADF", "ARF"],
        "status": "in_progress",
        "start": D(2023, 1, 1),
        "due": D(2026, 12, 31),
        "milestones": [
            ("Version de travail soumise aux collectivités", D(2024, 6, 30), D(2024, 7, 10)),
            ("Version définitive", D(2025, 12, 31), None),
        ],
        "initiatives": [],
    },
    {
        "code": "4.3",
        "axis": 4,
        "title": "Actualiser le référentiel des ressources et de l'accès aux ressources",
        "objective": "Intégrer au référentiel des ressources les exigences d'accessibilité et "
        "les évolutions du gestionnaire d'accès aux ressources.",
        "leads": ["MEN", "RFVE"],
        "status": "planned",
        "start": D(2027, 1, 1),
        "due": D(2028, 6, 30),
        "milestones": [
            ("Lancement du groupe de travail", D(2027, 1, 31), None),
            ("Projet de référentiel soumis au comité", D(2027, 12, 31), None),
        ],
        "initiatives": [],
    },
    {
        "code": "5.1",
        "axis": 5,
        "title": "Raccorder toutes les écoles au très haut débit",
        "objective": "Qu'aucune école ne reste sans accès très haut débit, par la fibre ou, à "
        "défaut, par satellite ou radio.",
        "leads": ["CDC", "AMRF", "ADF"],
        "status": "in_progress",
        "start": D(2016, 6, 1),
        "due": D(2026, 12, 31),
        "milestones": [
            ("Recensement des écoles non raccordées", D(2017, 6, 30), D(2017, 9, 1)),
            ("Offre de financement dédiée", D(2018, 6, 30), D(2018, 5, 15)),
            ("Toutes les écoles rurales raccordées", D(2025, 12, 31), None),
            ("Toutes les écoles raccordées", D(2026, 12, 31), None),
        ],
        "initiatives": [
            "cantal-tres-haut-debit-ecoles-rurales",
            "maripasoula-ecoles-satellite",
            "indre-fibre-colleges-ruraux",
        ],
    },
    {
        "code": "5.2",
        "axis": 5,
        "title": "Équipements mobiles : achats groupés et réemploi",
        "objective": "Réduire le coût et l'empreinte des équipements par des centrales "
        "d'achat communes et le reconditionnement.",
        "leads": ["CDC", "AMGVF", "ADF"],
        "status": "in_progress",
        "start": D(2022, 1, 1),
        "due": D(2027, 12, 31),
        "milestones": [
            ("Cahier des charges commun", D(2023, 3, 31), D(2023, 3, 28)),
            ("Première centrale d'achat ouverte", D(2024, 9, 30), None),
            ("Filière de reconditionnement dans chaque région", D(2027, 6, 30), None),
        ],
        "initiatives": ["sud-ordinateurs-reconditionnes-lyceens"],
    },
    {
        "code": "6.1",
        "axis": 6,
        "title": "Rencontres annuelles collectivités et entreprises du numérique éducatif",
        "objective": "Faire se rencontrer acheteurs publics et entreprises de la filière pour "
        "mieux exprimer les besoins et faire émerger des solutions.",
        "leads": ["CDC", "Villes Internet"],
        "status": "in_progress",
        "start": D(2017, 1, 1),
        "due": D(2027, 12, 31),
        "milestones": [
            ("Premières rencontres", D(2017, 11, 30), D(2017, 11, 22)),
            ("Rencontres en région", D(2024, 12, 31), D(2024, 11, 14)),
            ("Observatoire des achats numériques éducatifs", D(2026, 9, 30), None),
        ],
        "initiatives": [],
    },
    {
        "code": "6.2",
        "axis": 6,
        "title": "Label national des solutions numériques éducatives",
        "objective": "Proposer un label commun aux solutions respectant les référentiels et le "
        "cadre de confiance.",
        "leads": ["CDC", "ARF"],
        "status": "abandoned",
        "start": D(2018, 1, 1),
        "due": D(2020, 12, 31),
        "milestones": [
            ("Étude d'opportunité", D(2018, 9, 30), D(2018, 10, 5)),
            ("Référentiel du label", D(2019, 12, 31), None),
        ],
        "initiatives": [],
    },
]

CONTRIBUTIONS = [
    {
        "slug": "numerique-educatif-partage-etat-collectivites",
        "title": "Pour un numérique éducatif partagé entre l'État et les collectivités",
        "summary": "Première contribution du comité : les principes d'une gouvernance partagée "
        "du numérique éducatif, à la bonne échelle et ancrée dans les territoires.",
        "body": (
            "## Constat\n\n"
            "L'État définit les programmes, forme les enseignants et fixe les référentiels ; "
            "les communes, les départements et les régions équipent les écoles, les collèges "
            "et les lycées. Sans coordination, les efforts se dispersent.\n\n"
            "## Propositions\n\n"
            "1. Un comité territorial du numérique éducatif dans chaque académie.\n"
            "2. Des conventions qui disent clairement qui fait quoi.\n"
            "3. Des référentiels nationaux élaborés avec les collectivités.\n"
        ),
        "status": "published",
        "published_at": datetime.datetime(2016, 3, 15, 10, 0, tzinfo=datetime.UTC),
        "axes": [2, 4],
        "organisations": [
            "AMF",
            "ADF",
            "AMGVF",
            "ARF",
            "AMVBF",
            "AMRF",
            "RFVE",
            "Villes Internet",
            "CDC",
            "MEN",
        ],
    },
    {
        "slug": "socle-numerique-ecoles-recommandations",
        "title": "Le socle numérique de base des écoles : recommandations du comité",
        "summary": "Ce que chaque école devrait avoir, et comment l'État et les communes "
        "peuvent y parvenir ensemble.",
        "body": (
            "## Un socle pour toutes les écoles\n\n"
            "Connectivité, équipement de la classe, équipements mobiles, services et "
            "ressources, maintenance : le comité recommande que ces cinq briques soient "
            "réunies dans chaque école élémentaire.\n\n"
            "## Financement\n\n"
            "Le comité demande un soutien renforcé pour les petites communes rurales.\n"
        ),
        "status": "published",
        "published_at": datetime.datetime(2021, 2, 10, 10, 0, tzinfo=datetime.UTC),
        "axes": [4, 5],
        "organisations": ["AMF", "AMRF", "MEN", "CDC"],
    },
    {
        "slug": "sobriete-reemploi-equipements-scolaires",
        "title": "Sobriété et réemploi des équipements numériques scolaires",
        "summary": "Projet de contribution sur la durée de vie des équipements, le "
        "reconditionnement et l'éducation à un numérique responsable.",
        "body": "## Projet\n\nTexte en cours de rédaction par le secrétariat du comité.\n",
        "status": "draft",
        "published_at": None,
        "axes": [5, 6],
        "organisations": ["AMGVF", "ADF", "CDC"],
    },
]
