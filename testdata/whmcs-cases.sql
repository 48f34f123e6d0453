-- WHMCS money semantics cases: an addendum loaded AFTER whmcs-sample.sql,
-- into a database of its own (the plain sample keeps its figures). Written
-- by hand for the importer's tests; see README.md ("The cases addendum").
-- Column definitions of the tables the sample lacks are WHMCS 8's
-- installer's; rows follow what WHMCS itself writes (includes/invoicefunctions.php:
-- refundInvoicePayment, processPaidInvoice, applyCredit).
SET NAMES utf8mb4;
SET time_zone = '+00:00';
SET sql_mode = '';

CREATE TABLE `tblconfiguration` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `setting` varchar(64) NOT NULL,
  `value` mediumtext NOT NULL,
  `created_at` timestamp NOT NULL DEFAULT '0000-00-00 00:00:00',
  `updated_at` timestamp NOT NULL DEFAULT '0000-00-00 00:00:00',
  PRIMARY KEY (`id`),
  UNIQUE KEY `whmcs_setting_unique` (`setting`),
  KEY `setting` (`setting`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `tblcredit` (
  `id` int(10) NOT NULL AUTO_INCREMENT,
  `clientid` int(10) NOT NULL,
  `admin_id` int(10) unsigned NOT NULL DEFAULT 0,
  `date` date NOT NULL,
  `description` text NOT NULL,
  `amount` decimal(16,2) NOT NULL,
  `relid` int(10) NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Tax settings: exclusive, as the sample's invoices were computed.
INSERT INTO `tblconfiguration` (`setting`,`value`,`created_at`,`updated_at`) VALUES
('TaxEnabled','on','2020-01-01 00:00:00','2020-01-01 00:00:00'),
('TaxType','Exclusive','2020-01-01 00:00:00','2020-01-01 00:00:00'),
('TaxPerLineItem','','2020-01-01 00:00:00','2020-01-01 00:00:00'),
('TaxL2Compound','','2020-01-01 00:00:00','2020-01-01 00:00:00');

-- 1. Refund to credit balance: 10.00 of client 7's charge 34 (invoice 36)
-- refunded to credit. WHMCS writes the out-row (no gateway, the fee given
-- back as a negative fee, refundid = the charge) and the in-row (no
-- gateway, no invoice), a tblcredit row, and adds it to the balance.
INSERT INTO `tblaccounts` (`id`,`userid`,`currency`,`gateway`,`date`,`description`,`amountin`,`fees`,`amountout`,`rate`,`transid`,`invoiceid`,`refundid`) VALUES
(1001,7,0,'','2025-05-02 10:00:00','Refund of Transaction ID ch_N7Jj1VEUOHfYcAUA6tMfIVrJ to Credit Balance',0.00,-0.40,10.00,1.00000,'',36,34),
(1002,7,0,'','2025-05-02 10:00:00','Credit from Refund of Invoice ID 36',10.00,0.40,0.00,1.00000,'',0,0);
UPDATE `tblclients` SET `credit` = `credit` + 10.00 WHERE `id` = 7;

-- 2. A gateway refund, its fee returned (negative by design): all of
-- charge 18 (invoice 18, now Refunded).
INSERT INTO `tblaccounts` (`id`,`userid`,`currency`,`gateway`,`date`,`description`,`amountin`,`fees`,`amountout`,`rate`,`transid`,`invoiceid`,`refundid`) VALUES
(1003,7,0,'stripe','2025-05-03 09:30:00','Refund of Transaction ID ch_0iLDdtvZ2i3c9KIngNstr8nk',0.00,-0.54,8.20,1.00000,'re_3CaseRefund1003',18,18);
UPDATE `tblinvoices` SET `status` = 'Refunded', `date_refunded` = '2025-05-03 09:30:00' WHERE `id` = 18;

-- 3. Mass payment: client 16 pays invoices 1002 and 1003 with invoice 1001
-- (items of type Invoice). WHMCS books each paid amount as credit and
-- applies it, so the two invoices are Paid by credit with a total of 0.
INSERT INTO `tblinvoices` (`id`,`userid`,`invoicenum`,`date`,`duedate`,`datepaid`,`subtotal`,`credit`,`tax`,`tax2`,`total`,`taxrate`,`taxrate2`,`status`,`paymentmethod`,`notes`) VALUES
(1001,16,'','2025-04-05','2025-04-05','2025-04-05 09:00:00',25.00,0.00,0.00,0.00,25.00,0.000,0.000,'Paid','paypal_ppcpv',''),
(1002,16,'','2025-04-01','2025-04-08','2025-04-05 09:00:00',10.00,10.00,0.00,0.00,0.00,0.000,0.000,'Paid','paypal_ppcpv',''),
(1003,16,'','2025-04-01','2025-04-08','2025-04-05 09:00:00',15.00,15.00,0.00,0.00,0.00,0.000,0.000,'Paid','paypal_ppcpv',''),
-- 4. Other WHMCS 8 gateway modules: Stripe SEPA (known) and GoCardless (unknown).
(1004,24,'','2025-04-10','2025-04-17','2025-04-12 08:00:00',30.00,0.00,0.00,0.00,30.00,0.000,0.000,'Paid','stripe_sepa',''),
(1005,9,'','2025-04-10','2025-04-17','2025-04-13 08:00:00',12.00,0.00,0.00,0.00,12.00,0.000,0.000,'Paid','gocardless','');
INSERT INTO `tblinvoiceitems` (`id`,`invoiceid`,`userid`,`type`,`relid`,`description`,`amount`,`taxed`,`duedate`,`paymentmethod`,`notes`) VALUES
(1001,1001,16,'Invoice',1002,'Invoice #1002',10.00,0,'2025-04-08','paypal_ppcpv',''),
(1002,1001,16,'Invoice',1003,'Invoice #1003',15.00,0,'2025-04-08','paypal_ppcpv',''),
(1003,1002,16,'Item',0,'Extra IP address (04/2025)',10.00,0,'2025-04-08','paypal_ppcpv',''),
(1004,1003,16,'Item',0,'Backup storage (04/2025)',15.00,0,'2025-04-08','paypal_ppcpv',''),
(1005,1004,24,'Item',0,'Remote hands (1 hour)',30.00,0,'2025-04-17','stripe_sepa',''),
(1006,1005,9,'Item',0,'Migration service',12.00,0,'2025-04-17','gocardless','');
INSERT INTO `tblaccounts` (`id`,`userid`,`currency`,`gateway`,`date`,`description`,`amountin`,`fees`,`amountout`,`rate`,`transid`,`invoiceid`,`refundid`) VALUES
(1004,16,0,'paypal_ppcpv','2025-04-05 09:00:00','Invoice Payment',25.00,1.03,0.00,1.00000,'8MP55501AB1234560',1001,0),
(1005,24,0,'stripe_sepa','2025-04-12 08:00:00','Invoice Payment',30.00,0.35,0.00,1.00000,'py_3CaseSepa1005',1004,0),
(1006,9,0,'gocardless','2025-04-13 08:00:00','Invoice Payment',12.00,0.24,0.00,1.00000,'PM00CASE1006',1005,0);

-- 5. Credit history (tblcredit). Client 7's explains its whole balance
-- (66.99 + the 10.00 refunded to credit); client 9's only 100.00 of
-- 122.50; client 16's mass payment moves credit in and out; client 21 was
-- deleted.
INSERT INTO `tblcredit` (`id`,`clientid`,`admin_id`,`date`,`description`,`amount`,`relid`) VALUES
(1,7,0,'2023-03-01','Overpayment Credit for Invoice #8',70.00,8),
(2,7,1,'2023-04-01','Credit removed by staff (duplicate overpayment)',-3.01,0),
(3,7,0,'2025-05-02','Credit from Refund of Invoice ID 36',10.00,0),
(4,9,1,'2024-02-02','Goodwill credit (outage 2024-01-30)',100.00,0),
(5,16,0,'2025-04-05','Mass Invoice Payment Credit for Invoice #1002',10.00,0),
(6,16,0,'2025-04-05','Credit Applied to Invoice #1002',-10.00,1002),
(7,16,0,'2025-04-05','Mass Invoice Payment Credit for Invoice #1003',15.00,0),
(8,16,0,'2025-04-05','Credit Applied to Invoice #1003',-15.00,1003),
(9,21,1,'2022-06-01','Goodwill credit',5.00,0);

-- 6. Services with a quantity, the service's gateway, a first payment and
-- promotions: 1001 recurs for 6 renewals (2 used), 1002 is a lifetime one.
INSERT INTO `tblpromotions` (`id`,`code`,`type`,`recurring`,`value`,`cycles`,`appliesto`,`requires`,`requiresexisting`,`startdate`,`expirationdate`,`maxuses`,`uses`,`lifetimepromo`,`applyonce`,`newsignups`,`existingclient`,`onceperclient`,`recurfor`,`upgrades`,`upgradeconfig`,`notes`) VALUES
(1001,'THREEFOR20','Percentage',1,20.00,'Monthly','3','2',1,'2025-01-01',NULL,0,1,0,1,0,0,0,6,0,'',''),
(1002,'FOREVER5','Percentage',0,5.00,'','3','',0,'2025-01-01',NULL,0,1,1,0,0,0,0,0,0,'','');
INSERT INTO `tblhosting` (`id`,`userid`,`orderid`,`packageid`,`server`,`regdate`,`domain`,`paymentmethod`,`qty`,`firstpaymentamount`,`amount`,`billingcycle`,`nextduedate`,`nextinvoicedate`,`domainstatus`,`username`,`password`,`notes`,`subscriptionid`,`promoid`,`promocount`,`suspendreason`,`overideautosuspend`,`overidesuspenduntil`,`dedicatedip`,`assignedips`,`ns1`,`ns2`) VALUES
(1001,24,0,3,0,'2025-01-15','three.example.net','paypalcheckout',3,19.20,19.20,'Monthly','2025-07-15','2025-07-08','Active','','','','',1001,2,'',0,'0000-00-00','','','',''),
(1002,9,0,3,0,'2025-02-01','once.example.com','gocardless',1,49.00,0.00,'One Time','0000-00-00','0000-00-00','Active','','','','',1002,1,'',0,'0000-00-00','','','','');

-- 7. A merged ticket: 1002 was merged into 1001; its message and reply
-- belong to 1001's thread.
INSERT INTO `tbltickets` (`id`,`tid`,`did`,`userid`,`contactid`,`name`,`email`,`cc`,`c`,`date`,`title`,`message`,`status`,`urgency`,`admin`,`attachment`,`lastreply`,`flag`,`clientunread`,`adminunread`,`replyingadmin`,`replyingtime`,`service`,`merged_ticket_id`) VALUES
(1001,'900001',1,7,0,'','','','caseA001','2025-03-01 10:00:00','Server down','My server does not answer.','Closed','High','','','2025-03-01 13:00:00',0,0,'',0,'0000-00-00 00:00:00','',0),
(1002,'900002',1,7,0,'','','','caseA002','2025-03-01 11:00:00','Still down','Still no answer from the server.','Closed','High','','','2025-03-01 11:00:00',0,0,'',0,'0000-00-00 00:00:00','',1001);
INSERT INTO `tblticketreplies` (`id`,`tid`,`userid`,`contactid`,`name`,`email`,`date`,`message`,`admin`,`attachment`,`rating`) VALUES
(1001,1001,0,0,'','','2025-03-01 12:00:00','We are looking into it.','Sam Admin','',0),
(1002,1002,7,0,'','','2025-03-01 13:00:00','It works again, thanks.','','',0);
COMMIT;
