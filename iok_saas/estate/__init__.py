"""Estate: buildings, units and residents' legal titles to units."""
