"""Rows of the database-of-embassies CSV, written by hand for tests."""

from __future__ import annotations

HEADER = (
    "operator;operatorQID;jurisdictions;jurisdictionQIDs;country;countryQID;city;cityQID;"
    "address;latitude;longitude;phone;email;website;facebook;twitter;youtube;picture;"
    "pictureAuthor;pictureLicense;pictureLicenseURL;type;typeQID;creation;QID;"
)
ENTITY = "http://www.wikidata.org/entity/"


def csv_row(
    operator: str,
    country: str,
    city: str,
    qid: str,
    *,
    kind: str = "embassy",
    jurisdictions: str = "",
    email: str = "",
    website: str = "",
    phone: str = "",
) -> str:
    fields = [operator, "", jurisdictions, "", country, "", city, "", "", "", "", phone, email]
    fields += [website, "", "", "", "", "", "", "", kind, "", "", ENTITY + qid, ""]
    return ";".join(fields)
