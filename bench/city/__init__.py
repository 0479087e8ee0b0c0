"""The synthetic city of bench/generator.py: word pools (``pools``), the shape of a county's
organization tree (``orgtree``) and the people in it (``people``). Nothing here touches a
database; bench/generator.py loads what these produce."""
