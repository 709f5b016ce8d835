"""Customer pages of mail services: the product table, services and addresses."""
