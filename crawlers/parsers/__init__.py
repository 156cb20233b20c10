"""Pure extraction and parsing functions (no Scrapy imports), tested offline on saved pages."""
