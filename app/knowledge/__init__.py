"""Help-centre articles: their versions, the chunks search reads, and hybrid search."""
