"""Admin for orders, in-store sales and baskets."""
