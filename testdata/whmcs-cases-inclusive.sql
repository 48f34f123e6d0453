-- Inclusive tax: loaded after whmcs-sample.sql and whmcs-cases.sql into a
-- third database. The business priced with tax included (TaxType
-- Inclusive), and WHMCS stored these invoices by its rules
-- (updateInvoiceTotal): subtotal = items − tax, total = items − credit.
SET NAMES utf8mb4;
SET time_zone = '+00:00';
SET sql_mode = '';

UPDATE `tblconfiguration` SET `value` = 'Inclusive' WHERE `setting` = 'TaxType';

INSERT INTO `tblinvoices` (`id`,`userid`,`invoicenum`,`date`,`duedate`,`datepaid`,`subtotal`,`credit`,`tax`,`tax2`,`total`,`taxrate`,`taxrate2`,`status`,`paymentmethod`,`notes`) VALUES
(1010,7,'','2025-06-01','2025-06-08','2025-06-02 10:00:00',100.00,0.00,20.00,0.00,120.00,20.000,0.000,'Paid','stripe',''),
(1011,9,'','2025-06-01','2025-06-08','0000-00-00 00:00:00',56.00,5.00,10.00,0.00,61.00,20.000,0.000,'Unpaid','stripe','');
INSERT INTO `tblinvoiceitems` (`id`,`invoiceid`,`userid`,`type`,`relid`,`description`,`amount`,`taxed`,`duedate`,`paymentmethod`,`notes`) VALUES
(1010,1010,7,'Item',0,'VPS, tax included',120.00,1,'2025-06-08','stripe',''),
(1011,1011,9,'Item',0,'Managed backup, tax included',60.00,1,'2025-06-08','stripe',''),
(1012,1011,9,'Item',0,'Late fee (not taxed)',6.00,0,'2025-06-08','stripe','');
INSERT INTO `tblaccounts` (`id`,`userid`,`currency`,`gateway`,`date`,`description`,`amountin`,`fees`,`amountout`,`rate`,`transid`,`invoiceid`,`refundid`) VALUES
(1010,7,0,'stripe','2025-06-02 10:00:00','Invoice Payment',120.00,3.78,0.00,1.00000,'ch_3CaseInclusive1010',1010,0);
COMMIT;
