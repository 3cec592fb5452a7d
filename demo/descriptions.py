"""What each demo bucket's page tells beyond its title and summary (which the page already
shows): why, how, who carries it. Written as its co-leads would, in Markdown."""

DESCRIPTIONS = {
    # Artefacts, the annual round
    "Atelier partagé de menuiserie": (
        "Six d’entre nous travaillent le bois chez eux, faute de place. Le local repéré rue des Tanneurs "
        "fait 80 m² ; le bail serait au nom de la coopérative.\n\n"
        "- **minimum** : un an de loyer et l’outillage de base (scie sur table, établis) ;\n"
        "- **maximum** : une dégauchisseuse et l’aspiration des copeaux.\n\n"
        "Un planning partagé ouvrira l’atelier à tous les sociétaires."
    ),
    "Site web mutualisé": (
        "Aujourd’hui chacun paie son hébergeur et refait les mêmes pages. Un seul site, une page par "
        "activité, mise à jour par l’entrepreneur lui-même.\n\n"
        "Le minimum couvre le développement ; au-delà, un annuaire avec recherche par métier."
    ),
    "Formation comptabilité": (
        "Deux journées avec une formatrice de l’URSCOP pour lire un bilan, préparer sa déclaration et "
        "parler le même langage que notre comptable. Douze places, priorité aux nouveaux."
    ),
    "Voiture électrique partagée": (
        "Une location longue durée réservable en ligne, garée au siège. Nous estimons 40 trajets par "
        "mois d’après le sondage de janvier ; la recharge est comprise."
    ),
    "Séminaire annuel": (
        "Deux jours en gîte, au printemps : un bilan de l’année, des ateliers entre métiers, et du temps "
        "pour se connaître. Le minimum loge et nourrit 30 personnes."
    ),
    "Fonds de solidarité": (
        "Une avance remboursable sans intérêt, décidée par trois sociétaires tirés au sort, pour passer "
        "un mois difficile (maladie, client qui ne paie pas)."
    ),
    "Matériel vidéo": (
        "De quoi filmer proprement nos témoignages et nos réalisations : une caméra, deux micros-cravates, "
        "un trépied. Le matériel se prête au siège."
    ),
    "Bibliothèque coopérative": (
        "Une étagère au siège, des abonnements à deux revues et une vingtaine d’ouvrages choisis "
        "ensemble ; le prêt se note sur un cahier."
    ),
    "Espace enfants au tiers-lieu": (
        "Un tapis, une table basse, des jeux et des livres pour que les parents puissent venir aux "
        "réunions du mercredi."
    ),
    "Traduction des statuts": (
        "Trois entrepreneurs nous ont rejoints cette année sans lire le français. Traduction en anglais "
        "et en arabe par une traductrice assermentée."
    ),
    "Jardin partagé": (
        "Le terrain derrière le siège est en friche. Des bacs surélevés, de la terre, des semences et "
        "quelques outils ; récoltes partagées aux déjeuners du vendredi."
    ),
    "Stand au salon régional": (
        "Le salon de l’entrepreneuriat de Tours attire 4 000 visiteurs. Un stand commun de 12 m² avec "
        "des supports imprimés présentant chaque activité."
    ),
    # OPTEOS, the permanent fund
    "Fête de quartier": (
        "En juin, sur la place : une sono, une buvette tenue par les membres, et les voisins invités à "
        "découvrir ce que nous faisons."
    ),
    "Imprimante 3D": (
        "Pour que les designers et les artisans testent leurs pièces avant de les commander. Elle "
        "resterait à l’atelier, avec une demi-journée de prise en main."
    ),
    "Formation facilitation": (
        "Une journée avec un facilitateur pour apprendre à animer une réunion qui décide : tours de "
        "parole, décision par consentement, comptes rendus."
    ),
    # Artefacts, last year's round
    "Journée coopérative d’été": (
        "Le samedi 5 juillet au moulin de la Chanterie : atelier le matin, repas partagé, "
        "balade l’après-midi. Les conjoints sont les bienvenus."
    ),
    "Site vitrine des entrepreneurs": (
        "Une page par entrepreneur, avec ses réalisations et un formulaire de contact, pour que les "
        "clients trouvent la coopérative avant de trouver la personne."
    ),
    "Formation commune à la facturation": (
        "Factures conformes, relances, et le nouveau logiciel de la coopérative, avec notre comptable "
        "Audrey."
    ),
    "Véhicule utilitaire partagé": (
        "Un fourgon d’occasion de 12 m³ pour les salons, les déménagements d’atelier et les chantiers, "
        "réservé par un agenda commun."
    ),
}


def description_of(title: str) -> str:
    return DESCRIPTIONS.get(title, "")
