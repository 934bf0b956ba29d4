-- Migration number: 0002 	 index orders by user for the account page
CREATE INDEX `orders_user_created` ON `orders` (`user_id`,`created_at`);
