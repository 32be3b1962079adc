"""Texts for the export parity check: from a file, or built-in Spanish and English listing sentences.

The built-in set mixes short and long texts (some longer than any usual max_seq_length, to exercise
truncation), accents, ñ, inverted punctuation and digits.
"""

from __future__ import annotations

from genq_trainer.data.sentences import read_texts

BUILT_IN_SENTENCES: tuple[str, ...] = (
    "Piso luminoso de tres dormitorios en el centro de Málaga, cerca de la playa de la Malagueta.",
    "Ático con terraza de 40 m² y vistas panorámicas al mar en Marbella.",
    "Villa independiente con piscina privada, jardín y garaje para dos coches en Estepona.",
    "¿Buscas un apartamento a estrenar en Benalmádena? Cocina equipada y aire acondicionado.",
    "Chalet adosado en urbanización cerrada con pádel, gimnasio y zonas comunes ajardinadas.",
    "Estudio reformado en el casco histórico, ideal para inversión o alquiler vacacional.",
    "Casa de campo en la Axarquía con olivos, almendros y una antigua era de piedra.",
    "Dúplex en Fuengirola a 200 metros del paseo marítimo, con plaza de garaje y trastero.",
    "Local comercial en esquina con gran escaparate en la calle principal de Nerja.",
    "Señorial cortijo andaluz restaurado, con patio interior, chimenea y caballerizas.",
    "Bright three-bedroom flat in central Málaga, a short walk from the beach.",
    "Penthouse with a 40 m² terrace and panoramic sea views in Marbella.",
    "Detached villa with private pool, garden and double garage near Estepona golf courses.",
    "Brand-new apartment in Benalmádena with fitted kitchen and air conditioning.",
    "Townhouse in a gated community with padel court, gym and landscaped gardens.",
    "Renovated studio in the old town, ideal as an investment or holiday let.",
    "Country house in the Axarquía hills with olive and almond trees.",
    "Duplex in Fuengirola 200 m from the promenade, with parking space and storage room.",
    "Corner retail unit with a large shop window on Nerja's main street.",
    "Restored Andalusian farmhouse with inner courtyard, fireplace and stables.",
    "Precio: 325.000 €. Superficie construida 120 m², parcela 800 m². Certificado energético E.",
    "3 hab., 2 baños, orientación sur; comunidad 85 €/mes; IBI 420 €/año.",
    "qwerty",
    "Vistas al mar",
    "Sea views",
)


def built_in_texts(count: int) -> list[str]:
    """``count`` texts: the sentences, then joins of two and of many (long) sentences, cycled."""
    base = list(BUILT_IN_SENTENCES)
    texts: list[str] = list(base)
    size = len(base)
    offset = 1
    while len(texts) < count:
        for index in range(size):
            texts.append(f"{base[index]} {base[(index + offset) % size]}")
        texts.append(" ".join(base[offset % size :] + base[: offset % size]))  # longer than most max lengths
        offset += 1
    return texts[:count]


def parity_texts(count: int, texts_file: str | None, text_field: str) -> list[str]:
    if texts_file is None:
        return built_in_texts(count)
    texts = read_texts(texts_file, text_field=text_field).texts
    return texts[:count] if texts else built_in_texts(count)
