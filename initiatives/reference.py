SCHOOL_LEVELS = [
    ("maternelle", "École maternelle"),
    ("elementaire", "École élémentaire"),
    ("college", "Collège"),
    ("lycee", "Lycée"),
    ("periscolaire", "Temps périscolaire et extrascolaire"),
]
