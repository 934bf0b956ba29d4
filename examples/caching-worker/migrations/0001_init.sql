CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price INTEGER NOT NULL, category_id INTEGER NOT NULL);
CREATE TABLE categories (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE carts (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, items TEXT NOT NULL);
CREATE INDEX products_by_name ON products (name);
CREATE INDEX carts_by_user ON carts (user_id);
CREATE INDEX products_by_category ON products (category_id);
